"""Randomisation: the concealed allocation list and its seed (apart from site data), assignments, crossover."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from oncotrial.store.models.base import Base, Versioned

__all__ = ["AllocationSecret", "AllocationSlot", "Crossover", "Randomisation"]


class AllocationSecret(Versioned, Base):
    """How a trial allocates, and the seed its list comes from. Concealed: never shown to a site role."""

    __tablename__ = "allocation_secret"

    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"), primary_key=True)
    method: Mapped[str] = mapped_column(String(16))  # blocks | minimisation
    seed: Mapped[int] = mapped_column(BigInteger)
    block_sizes: Mapped[str] = mapped_column(Text)  # JSON list, e.g. [2, 4]
    n_per_stratum: Mapped[int] = mapped_column()
    factors: Mapped[str] = mapped_column(Text)  # JSON: stratification factor -> its levels


class AllocationSlot(Versioned, Base):
    """One slot of the concealed list: stratum, position, block, arm, and the patient who took it."""

    __tablename__ = "allocation_slot"
    __table_args__ = (UniqueConstraint("trial_id", "stratum", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"))
    stratum: Mapped[str] = mapped_column(String(256))
    sequence: Mapped[int] = mapped_column()
    block: Mapped[int] = mapped_column()
    block_size: Mapped[int] = mapped_column()
    arm: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"), unique=True)


class Randomisation(Versioned, Base):
    """A patient's assignment: the arm, the stratum, the method, when and by whom. Undone only by an
    audited correction (an update with a reason)."""

    __tablename__ = "randomisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), unique=True)
    arm: Mapped[str] = mapped_column(String(64))
    stratum: Mapped[str] = mapped_column(String(256))
    method: Mapped[str] = mapped_column(String(16))
    randomised_on: Mapped[dt.date] = mapped_column()
    factors: Mapped[str] = mapped_column(Text)  # JSON: factor -> this patient's level


class Crossover(Versioned, Base):
    """A crossover to another arm, as an event: the randomised arm stays the arm analysed (ITT)."""

    __tablename__ = "crossover"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), unique=True)
    from_arm: Mapped[str] = mapped_column(String(64))
    to_arm: Mapped[str] = mapped_column(String(64))
    rule_id: Mapped[str | None] = mapped_column(String(64))  # the protocol's crossover rule
    analysed_in_arm: Mapped[str] = mapped_column(String(64))  # as the rule says (the randomised arm: ITT)
    crossover_on: Mapped[dt.date] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
