"""django-axes' database handler, with a limit of its own for an address.

django-axes counts failed sign-ins for each of AXES_LOCKOUT_PARAMETERS (here: a username
from an address, and an address whatever the username) but compares each count with one
limit. A username's limit (5) would lock an office that shares one address out after five
typing mistakes between its staff; none would let someone try a few passwords on each of
many usernames. So the address has a higher limit of its own, AXES_ADDRESS_FAILURE_LIMIT.

A successful sign-in clears its own username and address's count, not the address's: or
someone with one account of their own could sign in with it to start counting afresh.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class SignInLimitsHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """The failures, measured against AXES_FAILURE_LIMIT as django-axes does: the
        username and address's own count, or the address's scaled so that it reaches
        AXES_FAILURE_LIMIT when it reaches AXES_ADDRESS_FAILURE_LIMIT."""
        pair, address = (_failures(a) for a in self.get_user_attempts(request, credentials))
        limit, address_limit = settings.AXES_FAILURE_LIMIT, settings.AXES_ADDRESS_FAILURE_LIMIT
        return max(pair, address * limit // address_limit)

    def reset_user_attempts(self, request, credentials=None) -> int:
        pair = self.filter_user_attempts(request, credentials)[0]
        count, _ = pair.delete()
        return count
