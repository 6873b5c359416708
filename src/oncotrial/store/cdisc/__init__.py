"""CDISC in and out of the store (issue 12): import an SDTM set, export SDTM and ADaM.

- :func:`import_sdtm` loads DM, DS, EX, TU, TR, RS, AE, LB and PC through the batch service functions (the
  checks of data entry), in one transaction;
- :func:`export_sdtm` writes those domains back (CSV, Parquet or XPT), never the identity table;
- :func:`export_adam` writes ADSL (derived from the store), and ADRS and ADTTE through the derivations of
  :mod:`oncotrial.recist` and :mod:`oncotrial.endpoints`.

What the store does not keep, so an SDTM set that goes in and out loses (the round-trip test holds the same list):

======  =====================================================================================================
domain  columns not kept
======  =====================================================================================================
DM      SUBJID, RFSTDTC, RFENDTC, RFXSTDTC, RFXENDTC, RFPENDTC, DMDTC, DMDY, ARMNRS, ACTARMUD; BRTHDTC is kept
        in the identity table and never exported; ARM/ARMCD/ACTARM/ACTARMCD of a patient with no RANDOMIZED
        record in DS (a screen failure)
DS      DSSPID, VISITNUM, DSDTC, DSSTDY
EX      VISITNUM, VISITDY, EXSTDY, EXENDY
AE      AESPID, AELLT, AELLTCD, AEPTCD, AEHLT, AEHLTCD, AEHLGT, AEHLGTCD, AEBDSYCD, AESOC, AESOCCD, AESCAN,
        AESCONG, AESDISAB, AESDTH, AESHOSP, AESLIFE, AESOD, AEDTC, AESTDY, AEENDY
LB      LBSEQ (renumbered 1, 2, ...), LBORRES, LBORRESU, LBORNRLO, LBORNRHI, LBNRIND, VISITDY, LBDY
PC      PCORRES, PCORRESU, PCNAM, VISITNUM, VISITDY, PCDY
TU      TUTESTCD, TUTEST, TUORRES (pharmaverse's equals TUSTRESC, which is kept), TUDY
TR      TRGRPID, TRTEST, TRDY (TRSTRESC comes back as TRORRES, TRSTAT from TRREASND)
RS      RSDY (RSSTAT comes back from RSREASND)
======  =====================================================================================================
"""

from oncotrial.store.cdisc.domains import NOT_KEPT
from oncotrial.store.cdisc.exporting import derive_sdtm, export_sdtm
from oncotrial.store.cdisc.importing import ImportReport, import_sdtm

__all__ = ["NOT_KEPT", "ImportReport", "derive_sdtm", "export_sdtm", "import_sdtm"]
