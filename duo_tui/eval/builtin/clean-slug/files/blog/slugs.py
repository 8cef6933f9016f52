"""Article slugs."""

import re
import unicodedata

_NOT_WORD = re.compile(r"[^a-z0-9]+")
MAX_LENGTH = 80


def slugify(title: str) -> str:
    """A lower-case ASCII slug of `title` ("Café au lait!" -> "cafe-au-lait")."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_WORD.sub("-", ascii_text.lower()).strip("-")
    return slug[:MAX_LENGTH].rstrip("-") or "article"


def unique_slug(title: str, taken: set[str]) -> str:
    """`slugify(title)`, with -2, -3, ... appended until it is not in `taken`."""
    base = slugify(title)
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug
