"""Pharmacokinetics: non-compartmental analysis (NCA) equal to PKNCA, vectorised over subjects.

``derive_nca`` takes a table of samples (subject, time, concentration, dose; optionally analyte or period
columns) and returns an ``NcaResult``: one row per profile with PKNCA's parameter names (cmax, tmax, tlast,
clast.obs, auclast, aucall, lambda.z, r.squared, adj.r.squared, lambda.z.n.points, half.life, aucinf.obs,
aucinf.pred, aucpext.obs, cl.obs, vz.obs, mrt.obs, ...). ``summarise_nca`` gives n, mean, SD, geometric
mean and CV %, median, min and max per parameter. ``derive_pk_profiles`` prepares an SDTM PC + EX pair.
Every result is frozen with ``to_frame()``, ``to_dict()`` and ``str()``.
"""

from typing import TYPE_CHECKING

from oncotrial._lazy import lazy_attributes

__all__ = [
    "AUC_METHODS",
    "NCA_PARAMETERS",
    "AucMethod",
    "BlqRule",
    "BlqRules",
    "BlqRulesByTmax",
    "NcaResult",
    "NcaSummary",
    "derive_nca",
    "derive_pk_profiles",
    "summarise_nca",
]

_WHERE = {
    "AUC_METHODS": "oncotrial.pk.nca",
    "NCA_PARAMETERS": "oncotrial.pk.nca",
    "AucMethod": "oncotrial.pk.auc",
    "BlqRule": "oncotrial.pk.blq",
    "BlqRules": "oncotrial.pk.blq",
    "BlqRulesByTmax": "oncotrial.pk.blq",
    "NcaResult": "oncotrial.pk.nca",
    "NcaSummary": "oncotrial.pk.summary",
    "derive_nca": "oncotrial.pk.nca",
    "derive_pk_profiles": "oncotrial.pk.cdisc",
    "summarise_nca": "oncotrial.pk.summary",
}

if TYPE_CHECKING:
    from oncotrial.pk.auc import AucMethod
    from oncotrial.pk.blq import BlqRule, BlqRules, BlqRulesByTmax
    from oncotrial.pk.cdisc import derive_pk_profiles
    from oncotrial.pk.nca import AUC_METHODS, NCA_PARAMETERS, NcaResult, derive_nca
    from oncotrial.pk.summary import NcaSummary, summarise_nca

__getattr__, __dir__ = lazy_attributes(globals(), _WHERE)
