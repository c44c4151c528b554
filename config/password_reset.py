"""A password reset for staff who have forgotten theirs: Django's own views, in the admin's
style, at /admin/password-reset/, linked from the admin's sign-in page.

The page says the same whether or not the address has an account, and answers about as quickly:
the email is not sent while the page waits but queued for the scheduler (django-q2, which
`make run` runs beside the server), as Django's documentation advises against telling
addresses apart by the time an answer takes. Only the account's id is queued; the link is
made as the email is sent, so it is kept in no table. Only an active staff account with a
usable password gets an email: nobody else can use the admin.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_q.tasks import async_task

from config.portal import SERVICE_NAME, portal_url

SUBJECT = "registration/staff_password_reset_subject.txt"
BODY = "registration/staff_password_reset_email.txt"


class StaffPasswordResetForm(PasswordResetForm):
    def get_users(self, email):
        return (user for user in super().get_users(email) if user.is_staff)

    def save(self, **kwargs):
        for user in self.get_users(self.cleaned_data["email"]):
            async_task("config.password_reset.send_reset_email", user.pk)


def send_reset_email(user_id) -> str:
    """The scheduler's task: the email with a link to set a new password, through Django's
    email settings (EMAIL_BACKEND and the rest)."""
    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None or not user.is_staff or not user.has_usable_password():
        return "No email: the account is no longer an active staff account."
    token = default_token_generator.make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    context = {
        "user": user,
        "service_name": SERVICE_NAME,
        "link": portal_url(reverse("password_reset_confirm", args=[uid, token])),
        "valid_for": _valid_for(settings.PASSWORD_RESET_TIMEOUT),
    }
    subject = "".join(render_to_string(SUBJECT, context).splitlines())
    send_mail(subject, render_to_string(BODY, context), None, [user.email])
    return f"Emailed a password reset link to staff account {user_id}."


def _valid_for(seconds: int) -> str:
    days, hours = divmod(seconds // 3600, 24)
    if days and not hours:
        return f"{days} day{'s' if days != 1 else ''}"
    hours += days * 24
    return f"{hours} hour{'s' if hours != 1 else ''}"


class InTheAdmin:
    """The admin's own header and title on the reset pages, as on its sign-in page: without
    its list of models, which someone not signed in may not see."""

    def get_context_data(self, **kwargs):
        return {
            **admin.site.each_context(self.request),
            "is_nav_sidebar_enabled": False,
            **super().get_context_data(**kwargs),
        }


def view(django_view, **options):
    return type(django_view.__name__, (InTheAdmin, django_view), {}).as_view(**options)


urlpatterns = [
    path(
        "admin/password-reset/",
        view(auth_views.PasswordResetView, form_class=StaffPasswordResetForm),
        name="password_reset",
    ),
    path(
        "admin/password-reset/sent/",
        view(auth_views.PasswordResetDoneView),
        name="password_reset_done",
    ),
    path(
        "admin/password-reset/<uidb64>/<token>/",
        view(auth_views.PasswordResetConfirmView),
        name="password_reset_confirm",
    ),
    path(
        "admin/password-reset/done/",
        view(auth_views.PasswordResetCompleteView),
        name="password_reset_complete",
    ),
]
