"""The website's forms: they check the shape of what a person typed, nothing more.

Every rule (unique names, password strength, who may do what) lives in the services
(accounts/services.py); a view passes the cleaned data on and shows the service's error
on the form with :func:`show_error`.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Membership
from config.errors import DomainError


class SignupForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        help_text="Letters, digits and @ . + - _ only. Shown on leaderboards.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    email = forms.EmailField(
        required=False,
        help_text="Only used to tell you about your account.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        help_text="At least 8 characters; not a common password, not only digits.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords do not match.")
        return cleaned


class TeamForm(forms.Form):
    """Create a team, or rename it and change its description."""

    name = forms.CharField(max_length=100, help_text="Shown on leaderboards.")
    description = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MemberAddForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        label="Key name",
        max_length=100,
        help_text="What the key is for, such as “laptop” or “CI”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


# Services name fields the way the models do; a form may call the same thing otherwise.
_FIELD_ALIASES = {"password": "password1"}


def show_error(form: forms.Form, exc: DomainError | ValidationError) -> bool:
    """Attach a service's error to the form field it concerns.

    Returns False, attaching nothing, for a domain error about no field of this form: the
    caller shows that one as a message instead.
    """
    if isinstance(exc, DomainError):
        field = _FIELD_ALIASES.get(exc.field, exc.field)
        if field not in form.fields:
            return False
        form.add_error(field, exc.detail)
        return True
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            field = _FIELD_ALIASES.get(name, name)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
    return True
