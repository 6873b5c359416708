suppressMessages(library(survival))
options(digits = 15)
lung <- read.csv("data_lung.csv")
veteran <- read.csv("data_veteran.csv")
fits <- list(
  lung_age_sex_strata_inst = coxph(Surv(time, status) ~ age + factor(sex) + strata(inst), data = lung),
  lung_age_ecog_breslow = coxph(Surv(time, status) ~ age + factor(ph.ecog), data = lung, ties = "breslow"),
  lung_sex_karno_wtloss = coxph(Surv(time, status) ~ sex + ph.karno + wt.loss, data = lung),
  veteran_trt_celltype_karno = coxph(Surv(time, status) ~ trt + relevel(factor(celltype), ref = "squamous") + karno, data = veteran)
)
coefs <- do.call(rbind, lapply(names(fits), function(id) {
  s <- summary(fits[[id]])
  data.frame(fit = id, term = rownames(s$coefficients), coef = s$coefficients[, "coef"],
             exp_coef = s$coefficients[, "exp(coef)"], se_coef = s$coefficients[, "se(coef)"],
             z = s$coefficients[, "z"], p = s$coefficients[, "Pr(>|z|)"],
             lower_95 = s$conf.int[, "lower .95"], upper_95 = s$conf.int[, "upper .95"])
}))
tests <- do.call(rbind, lapply(names(fits), function(id) {
  f <- fits[[id]]; s <- summary(f)
  data.frame(fit = id, n = f$n, nevent = f$nevent, n_deleted = length(f$na.action),
             loglik_null = f$loglik[1], loglik = f$loglik[2],
             lr = s$logtest[["test"]], lr_df = s$logtest[["df"]], lr_p = s$logtest[["pvalue"]],
             wald = f$wald.test, wald_df = s$waldtest[["df"]], wald_p = pchisq(f$wald.test, s$waldtest[["df"]], lower.tail = FALSE),
             score = s$sctest[["test"]], score_df = s$sctest[["df"]], score_p = s$sctest[["pvalue"]])
}))
write.csv(coefs, "cox_multi_coefficients.csv", row.names = FALSE)
write.csv(tests, "cox_multi_tests.csv", row.names = FALSE)
