"""Validation of model ids and revisions. Ids reach file paths and URLs, never a shell."""

from __future__ import annotations

import re

from leaderboard.errors import SubmissionRejected

# Hugging Face repo id rules: org/name, each part 1..96 of [A-Za-z0-9._-], not starting or
# ending with '.' or '-', and no '--' or '..' anywhere.
_PART = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?"
MODEL_ID_PATTERN = rf"^{_PART}/{_PART}$"
_MODEL_ID = re.compile(MODEL_ID_PATTERN)
REVISION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$"
_REVISION = re.compile(REVISION_PATTERN)


def validate_model_id(model_id: object) -> str:
    if not isinstance(model_id, str) or not model_id:
        raise SubmissionRejected("model_id is required, in the form org/name")
    if not _MODEL_ID.fullmatch(model_id) or ".." in model_id or "--" in model_id:
        raise SubmissionRejected(
            f"model_id {model_id!r} is malformed: expected org/name with letters, digits, "
            "'.', '_' or '-' (no '..' or '--', at most 96 characters each)")
    return model_id


def validate_revision(revision: object) -> str:
    if revision in (None, ""):
        return "main"
    if not isinstance(revision, str) or not _REVISION.fullmatch(revision) or ".." in revision:
        raise SubmissionRejected(
            f"revision {revision!r} is malformed: expected a branch, tag or commit sha")
    return revision
