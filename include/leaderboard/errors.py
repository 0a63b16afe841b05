"""Errors whose message is a reason a user can act on. It is stored as a submission's status."""


class LeaderboardError(Exception):
    """Base class: str(error) is the user-facing reason."""


class SubmissionRejected(LeaderboardError):
    """The submission itself is bad: malformed id, unknown model or revision, unsupported model."""


class CatalogueError(LeaderboardError):
    """An unknown or malformed benchmark or suite."""


class DatasetIntegrityError(LeaderboardError):
    """A benchmark data file is missing or its sha256 differs from the pinned one."""


class EvaluationFailed(LeaderboardError):
    """The harness did not produce a result: crash, timeout, out of memory."""


class InvalidResults(LeaderboardError):
    """A results document or its samples break the results contract."""
