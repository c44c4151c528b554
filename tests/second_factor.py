"""Signing staff in, in tests, as the admin asks: with a password and a second factor.

The `client` fixture (tests/conftest.py) is a StaffClient, whose force_login also gives the
session a verified second factor, so a test that signs staff in does it in one line as it
always has. Tests of the second factor itself sign in with the password alone
(`password_only_login`) or through the pages.
"""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def app_device(user) -> TOTPDevice:
    """The user's authenticator app, set up if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)


def code_now(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the app shows now (or that many 30-second steps from now)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


class StaffClient(Client):
    def force_login(self, user, backend=None):
        """Signed in, with the second factor given (from an app set up if need be)."""
        super().force_login(user, backend)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = app_device(user).persistent_id
        session.save()

    def password_only_login(self, user, backend=None):
        """Signed in with the password alone: the second factor not yet given."""
        super().force_login(user, backend)
