"""Parse and apply the executor's SEARCH/REPLACE edit blocks.

The executor answers in the format most models already know (see DESIGN.md,
"Edits")::

    path/to/file.py
    ```python
    <<<<<<< SEARCH
    old lines, copied exactly
    =======
    new lines
    >>>>>>> REPLACE
    ```

Parsing (:func:`parse_edits`) accepts the variants models really write: the
file name on the line before the fence, in the fence's info string or on the
first line inside the fence; decorated names (``**x.py**``, ```` `x.py` ````,
``File: x.py``, ``### x.py``, ``# x.py`` as a comment); several blocks per
fence or per file (a block without a name inherits the previous block's
file); prose between blocks; a missing closing fence; CRLF; markers of 5-9
characters. A malformed block (no ``=======`` divider, no ``>>>>>>> REPLACE``,
a REPLACE marker without SEARCH, no determinable file name) is reported in
:attr:`ParseResult.failures`, never skipped silently.

Applying (:func:`plan_edits`, :func:`apply_edits`) is all-or-nothing: every
path is checked with :func:`safe_path`, every new file content is computed in
memory, and only when every block applies cleanly are files written (each via
a temporary file and :func:`os.replace`; if a write fails, the files already
written are restored). A SEARCH section is located, in order, by

1. an exact line match;
2. a match ignoring trailing whitespace (and CR) on each line;
3. a match where every line's indentation drifted by the same prefix; the
   REPLACE section is then re-indented by the same delta;
4. steps 1-3 again with blank lines at the edges of SEARCH dropped.

The first step that finds exactly one place wins; more than one place is an
ambiguity error. A block that matches nowhere is an error that shows the
closest region of the file (a bounded fuzzy search, used only to explain the
failure). Blocks for one file apply in order on the evolving content. A file's
line endings (per line; new lines get the file's dominant ending), its UTF-8
BOM and its final-newline state are preserved.

Creating files: an empty (or whitespace-only) SEARCH creates the file. If the
file already exists, the block is accepted only when the file is empty
(whitespace-only) or already has exactly the REPLACE content (so rerunning the
same answer is harmless); otherwise it is refused, because silently
overwriting or appending to an existing file is the kind of damage a
misremembered path causes.
"""

from duo_tui.core.edits.apply import apply_edits, apply_text, plan_edits
from duo_tui.core.edits.diagnose import format_failures_for_model
from duo_tui.core.edits.model import (
    ApplyResult,
    BlockFailure,
    EditApplyError,
    EditBlock,
    ParseResult,
)
from duo_tui.core.edits.parse import parse_edits
from duo_tui.core.edits.paths import safe_path

__all__ = [
    "ApplyResult",
    "BlockFailure",
    "EditApplyError",
    "EditBlock",
    "ParseResult",
    "apply_edits",
    "apply_text",
    "format_failures_for_model",
    "parse_edits",
    "plan_edits",
    "safe_path",
]
