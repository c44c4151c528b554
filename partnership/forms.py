"""The contact form: what a resident may send, checked and worded as the NHS.UK design system
asks (a message by each field, and the same in the error summary)."""

import re

from django import forms

MAX_MESSAGE_LENGTH = 2000
# A path on this site: no scheme or host, no query (a lookup's postcode stays out), no
# control characters.
PAGE_PATH = re.compile(r"^/(?!/)[^\s?#\\\x00-\x1f\x7f]{0,299}$")


def page_path(value: str) -> str:
    """The page a message came from as we keep it: its path on this site, without its query,
    or nothing if it is not one."""
    path = (value or "").split("?", 1)[0].split("#", 1)[0].strip()
    return path if PAGE_PATH.match(path) else ""


class ContactForm(forms.Form):
    message = forms.CharField(
        max_length=MAX_MESSAGE_LENGTH,
        error_messages={
            "required": "Enter your message",
            "max_length": f"Your message must be {MAX_MESSAGE_LENGTH:,} characters or fewer",
        },
    )
    reply_to = forms.EmailField(
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Enter an email address of 254 characters or fewer",
        },
    )
    page = forms.CharField(required=False, max_length=2000)
    # The honeypot: hidden from people (and from screen readers and the keyboard), filled in
    # by programs that fill in every field. A form with it filled in is thanked and dropped.
    website = forms.CharField(required=False, max_length=2000)

    def clean_message(self):
        message = self.cleaned_data["message"].replace("\x00", "").strip()
        if not message:
            raise forms.ValidationError("Enter your message")
        return message

    def clean_page(self):
        return page_path(self.cleaned_data.get("page", ""))

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))
