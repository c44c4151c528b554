"""A second factor for every staff account (django-otp): a code from an authenticator app
(TOTP), or one of ten recovery codes, each of which works once (docs/security.md).

Signing in is the password (Django's admin sign-in page, with django-axes' lockout), then a
code at /admin/second-factor/. Until the code is given, the session is signed in but not
verified, and every other admin address sends the member of staff here: to type a code if
they have a device, or to enrol one if they have none. Enrolling shows a QR code (an SVG
drawn here, never fetched from elsewhere) and the same secret as text, takes a code from the
app to confirm it, then shows the recovery codes once. The admin site itself also refuses an
unverified session (`AdminSite.has_permission`), so an admin address this middleware did not
know of is closed too.
"""

import base64
import math
from base64 import b32encode
from functools import cache

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
# The recovery codes just made, kept in the session until the page that shows them once.
NEW_CODES_SESSION_KEY = "second_factor_new_recovery_codes"


class AdminSite(admin.AdminSite):
    """The admin, open only to a session that has given its second factor."""

    def has_permission(self, request):
        is_verified = getattr(request.user, "is_verified", None)
        return super().has_permission(request) and is_verified is not None and is_verified()


# Who may still use which device


def is_staff(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_staff


def app_devices(user, *, confirmed=True):
    return TOTPDevice.objects.devices_for_user(user, confirmed=confirmed)


def recovery_devices(user):
    return StaticDevice.objects.devices_for_user(user, confirmed=True)


def has_any_device(user) -> bool:
    return app_devices(user).exists() or recovery_devices(user).exists()


def may_enrol(user) -> bool:
    """Staff with no authenticator app: with nothing at all, on their password alone (the
    first sign-in); with recovery codes only once one of them has verified this session (so
    a stolen password cannot put the thief's phone on an account that has a factor)."""
    if app_devices(user).exists():
        return False
    return user.is_verified() or not recovery_devices(user).exists()


# The middleware


@cache
def _open_paths() -> tuple[str, ...]:
    """Admin addresses an unverified session may use: signing out, the password reset and
    these pages (signing in is decided apart)."""
    return (reverse("admin:logout"), reverse("password_reset"), reverse("second-factor"))


class SecondFactorMiddleware:
    """Every admin address, for a member of staff signed in with a password but not yet a
    code, sends them to give one (or to enrol a device, if they have none)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/admin/"):
            return self.get_response(request)
        user = request.user
        if not is_staff(user) or user.is_verified():
            return self.get_response(request)
        login = reverse("admin:login")
        if request.path == login and request.method == "POST":
            return self.get_response(request)  # signing in again, as the same or another
        if request.path != login and request.path.startswith(_open_paths()):
            return self.get_response(request)
        if request.path == login:
            after = request.GET.get(REDIRECT_FIELD_NAME, "")
        else:
            after = request.get_full_path()
        target = "second-factor" if has_any_device(user) else "second-factor-enrol"
        return HttpResponseRedirect(with_next(reverse(target), after))


def with_next(url: str, after: str) -> str:
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: after})}" if after else url


def next_url(request) -> str:
    """Where to go once verified: the admin address asked for, if it is this site's own."""
    after = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if after and url_has_allowed_host_and_scheme(
        after, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return after
    return reverse("admin:index")


# Forms


class CodeForm(forms.Form):
    """Six digits from the authenticator app."""

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6 digits your app shows for this account now. They change every 30 seconds.",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the 6 digits your app shows, like 123456.")
        return code


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label="Recovery code",
        help_text="One of the recovery codes you were given when you set up your app. Each "
        "works once.",
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self):
        return "".join(c for c in self.cleaned_data["code"].lower() if c.isalnum())


def device_taking(form, devices):
    """The device that takes the form's code, or None, the form then saying why: the code
    is wrong, or none of the devices may be tried yet (each wrong code doubles the wait
    before the next may be: django-otp's throttling)."""
    devices = list(devices)
    waits = [device.verify_is_allowed() for device in devices]
    for device, (allowed, _) in zip(devices, waits, strict=True):
        if allowed and device.verify_token(form.cleaned_data["code"]):
            return device
    if devices and not any(allowed for allowed, _ in waits):
        until = min(details["locked_until"] for _, details in waits)
        seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
        form.add_error(
            "code",
            f"Too many wrong codes: wait {seconds} second{'s' if seconds != 1 else ''}, "
            "then try again.",
        )
    else:
        form.add_error("code", "That code is not right. Check it and try again.")
    return None


def signed_in_with(request, device):
    otp_login(request, device)
    # A session that gains a privilege gets a new key, as it does when signing in.
    request.session.cycle_key()


# Views


def staff_page(view):
    """A page for staff signed in with their password: anyone else goes to sign in."""

    @never_cache
    @sensitive_post_parameters("code")
    def wrapped(request):
        if not is_staff(request.user):
            return redirect_to_login(request)
        return view(request)

    wrapped.__name__ = view.__name__
    return wrapped


def redirect_to_login(request):
    return HttpResponseRedirect(with_next(reverse("admin:login"), next_url(request)))


def page(request, template, title, **context):
    return render(
        request,
        f"admin/second_factor/{template}",
        {
            **admin.site.each_context(request),
            "is_nav_sidebar_enabled": False,
            "title": title,
            "next": next_url(request),
            REDIRECT_FIELD_NAME: next_url(request),
            **context,
        },
    )


@staff_page
def code_page(request):
    user = request.user
    if user.is_verified():
        return HttpResponseRedirect(next_url(request))
    if not has_any_device(user):
        return HttpResponseRedirect(with_next(reverse("second-factor-enrol"), next_url(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = device_taking(form, app_devices(user))
        if device is not None:
            signed_in_with(request, device)
            return HttpResponseRedirect(next_url(request))
    return page(
        request,
        "code.html",
        "Enter the code from your authenticator app",
        form=form,
        has_app=app_devices(user).exists(),
    )


@staff_page
def recovery_code_page(request):
    user = request.user
    if user.is_verified():
        return HttpResponseRedirect(next_url(request))
    form = RecoveryCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = device_taking(form, recovery_devices(user))
        if device is not None:
            signed_in_with(request, device)
            left = StaticToken.objects.filter(device__user=user).count()
            messages.info(
                request,
                f"You used a recovery code: it will not work again. You have {left} left.",
            )
            if not app_devices(user).exists():
                return HttpResponseRedirect(
                    with_next(reverse("second-factor-enrol"), next_url(request))
                )
            return HttpResponseRedirect(next_url(request))
    return page(request, "recovery_code.html", "Use a recovery code", form=form)


@staff_page
def enrol_page(request):
    user = request.user
    if not may_enrol(user):
        return HttpResponseRedirect(with_next(reverse("second-factor"), next_url(request)))
    device = app_devices(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and device_taking(form, [device]):
        codes = enrolment_confirm(device=device)
        signed_in_with(request, device)
        request.session[NEW_CODES_SESSION_KEY] = codes
        return HttpResponseRedirect(
            with_next(reverse("second-factor-recovery-codes"), next_url(request))
        )
    return page(
        request,
        "enrol.html",
        "Set up your authenticator app",
        form=form,
        qr_code=qr_code_data_uri(device.config_url),
        secret=secret_in_groups(device),
    )


@staff_page
def recovery_codes_page(request):
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if not codes:
        return HttpResponseRedirect(next_url(request))
    return page(request, "recovery_codes.html", "Your recovery codes", codes=codes)


@transaction.atomic
def enrolment_confirm(*, device: TOTPDevice) -> list[str]:
    """The app's device confirmed, any other unconfirmed one removed, and ten new recovery
    codes in place of any the account had: returns them, to be shown once."""
    user = device.user
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    return codes


def qr_code_data_uri(text: str) -> str:
    """The QR code as an SVG image (dark squares on white, so it scans in the admin's dark
    theme too), for an <img> with its own alternative text."""
    image = qrcode.make(
        text, image_factory=qrcode.image.svg.SvgPathFillImage, border=4, box_size=10
    )
    svg = image.to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def secret_in_groups(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it typed (base 32), in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


urlpatterns = [
    path("admin/second-factor/", code_page, name="second-factor"),
    path("admin/second-factor/recovery-code/", recovery_code_page, name="second-factor-recovery"),
    path("admin/second-factor/enrol/", enrol_page, name="second-factor-enrol"),
    path(
        "admin/second-factor/recovery-codes/",
        recovery_codes_page,
        name="second-factor-recovery-codes",
    ),
]
