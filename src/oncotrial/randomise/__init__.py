"""Randomisation, the pure computation (issue 12): stratified permuted blocks and Pocock–Simon minimisation.

No files, no clock, no database: the allocation list comes from a seed (numpy ``Generator``), so the same
seed gives the same list; the trial store keeps the seed and the list apart from site data and audits each
assignment. The results (``AllocationList``, ``MinimisationResult``) are frozen and have ``to_frame()``, a
JSON-safe ``to_dict()`` and a ``str()`` of at most 80 columns.
"""

from oncotrial.randomise.blocks import (
    AllocationList,
    allocation_from_protocol,
    build_allocation_list,
    derive_strata,
    next_assignment,
)
from oncotrial.randomise.minimisation import MinimisationResult, assign_by_minimisation

__all__ = [
    "AllocationList",
    "MinimisationResult",
    "allocation_from_protocol",
    "assign_by_minimisation",
    "build_allocation_list",
    "derive_strata",
    "next_assignment",
]
