"""`load_plain_review`: a review file read the quick way when it can be, the full way otherwise.

The quick path of `duo-tui triage --json`. `review_file` reads and certifies the
document without pydantic; a document it cannot certify goes to the full loader
in `reviews` (jsonschema words the errors, pydantic builds the `Review`), which
is imported only then, so a triage of valid files never pays for pydantic. This
module sits above both, so neither of them imports the other.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from duo_tui.core.review_file import (
    PlainReview,
    drop_null_optionals,
    plain_review,
    read_review_data,
)
from duo_tui.limits import Limits

if TYPE_CHECKING:  # pragma: no cover
    from duo_tui.core.models import Review

__all__ = ["load_plain_review"]


def load_plain_review(path: Path, limits: Limits | None = None) -> PlainReview | Review:
    """A review file as `PlainReview` (no pydantic), or as `Review` when it needs the full check.

    Raises what `duo_tui.core.reviews.load_review_file` raises, for the same files.
    """
    data, text = read_review_data(path, limits)
    plain = plain_review(drop_null_optionals(data))
    if plain is not None:
        return plain
    from duo_tui.core.reviews import review_from_data  # pydantic: only for this file

    return review_from_data(data, str(path), text)
