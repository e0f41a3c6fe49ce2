"""Login throttling for /desk/login/ and /admin/login/, with django-axes (settings: AXES_*).

Failed log-ins are counted in the database, so every process and every server shares the count,
twice and separately: by the account name tried (from any network) and by the network they came
from (whatever names were tried). A network is the /24 of an IPv4 address or the /64 of an IPv6
one, as for comments (khabar.comments.identity): an attacker's next address is rarely outside it.
A newsroom often reaches the site from one office address, so a network has its own, higher limit.
"""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum

from khabar.comments.identity import client_address, network_of


def client_network(request) -> str:
    """AXES_CLIENT_IP_CALLABLE: the first address of the client's network, so that axes, which
    keeps one address per attempt, counts every address of that network as one."""
    network = network_of(client_address(request))
    return str(ipaddress.ip_network(network).network_address) if network else ""


class LoginThrottle(AxesDatabaseHandler):
    """axes' database handler with a limit for an account (AXES_FAILURE_LIMIT) and another for a
    network (KHABAR_LOGIN_NETWORK_FAILURE_LIMIT). axes compares one count with one limit: the
    network's count is scaled to the account's limit, so each is locked at its own limit."""

    def get_failures(self, request, credentials=None) -> int:
        # AXES_LOCKOUT_PARAMETERS is ["username", "ip_address"]: one queryset for each.
        by_account, by_network = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit = settings.AXES_FAILURE_LIMIT
        return max(by_account, by_network * limit // settings.KHABAR_LOGIN_NETWORK_FAILURE_LIMIT)
