"""What Django's own log may say of a request: its path, never a postcode asked about.

The privacy notice promises that a postcode searched for is never written to a log. A page's
query string never reaches a log line (Django logs the path alone), but the API's postcode
lookup carries the postcode in its path (`/api/v1/postcodes/E8 1DY`), which Django writes
for every 4xx and 5xx answer ("Not Found: …"). nginx's access log words the path the same way
(`config/nginx.conf.template`, the `$path_without_query` map).
"""

import logging
import re

POSTCODE_IN_PATH = re.compile(r"^(/api/v\d+/postcodes/)[^?]+")
IN_ITS_PLACE = r"\1{postcode}"


def path_said(path: str) -> str:
    """The path as a log may keep it: the API's postcode segment as `{postcode}`."""
    return POSTCODE_IN_PATH.sub(IN_ITS_PLACE, path)


class PostcodesOutOfPaths(logging.Filter):
    """Rewrites the path in django.request's and django.server's records (their arguments
    are the reason and the path, or the request line) before any handler formats them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                path_said(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        elif isinstance(record.msg, str):
            record.msg = path_said(record.msg)
        return True
