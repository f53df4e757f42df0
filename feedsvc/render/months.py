"""Month names in English, written once: the pages' dates and the archives' labels use them.

Not `calendar.month_name`, which follows the process locale: the same inputs must give the same bytes.
"""

from __future__ import annotations

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def archive_label(archive: str) -> str:
    """ "May 2013", or "May 2013 (part 2)", for an archive id ("2013-05", "2013-05-2")."""
    page = int(archive[8:]) if len(archive) > 7 else 1
    return f"{MONTH_NAMES[int(archive[5:7]) - 1]} {archive[:4]}" + (f" (part {page})" if page > 1 else "")
