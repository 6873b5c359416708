"""Sign-offs: an investigator attests a record of their site's patient — the eligibility of a screening, the
tumour assessment of a visit — as it stands (its version). A record changed after it was signed is no longer
signed off until it is signed again; the earlier sign-off stays, as history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from oncotrial.store.models.base import Base, Versioned

__all__ = ["SIGNABLE", "SignOff"]

#: The records an investigator signs off: a screening's eligibility and a visit's tumour assessment.
SIGNABLE = ("screening", "assessment")


class SignOff(Versioned, Base):
    """One sign-off of one version of a record (``record_table``, ``record_id``, ``record_version``)."""

    __tablename__ = "sign_off"
    __table_args__ = (UniqueConstraint("record_table", "record_id", "record_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    record_table: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int] = mapped_column()
    record_version: Mapped[int] = mapped_column()
    signed_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    signed_at: Mapped[dt.datetime] = mapped_column()
