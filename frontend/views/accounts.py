"""Sign-up, the account page and API keys."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services
from accounts.exceptions import ApiKeyNotFound
from accounts.selectors import get_api_key, list_api_keys, list_memberships
from config.errors import DomainError
from frontend.forms import ApiKeyCreateForm, SignupForm, show_error
from frontend.throttling import throttle_posts

# --- Sign-up ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@throttle_posts("signup")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("account")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.register_user(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                email=form.cleaned_data["email"],
            )
        except (DomainError, ValidationError) as exc:
            if not show_error(form, exc):
                messages.error(request, exc.detail)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to Tunebench, {user.username}!")
            return redirect("account")
    return render(request, "registration/signup.html", {"form": form})


# --- Account and API keys ---------------------------------------------------------------


def _account_context(request: HttpRequest, **extra) -> dict:
    return {
        "memberships": list_memberships(user=request.user),
        "api_keys": list_api_keys(user=request.user),
        "key_form": ApiKeyCreateForm(),
        "new_api_key": None,
        **extra,
    }


@never_cache
@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/account.html", _account_context(request))


@never_cache
@login_required
@require_POST
@throttle_posts("api_keys")
def api_key_create(request: HttpRequest) -> HttpResponse:
    """Create a key and show its plaintext in this response only.

    The plaintext is rendered here, never stored (not even in the session), so the next
    view of the account page cannot show it. With htmx only the keys section is swapped,
    so the address stays /account/ and a reload is a harmless GET.
    """
    form = ApiKeyCreateForm(request.POST)
    created = {}
    if form.is_valid():
        try:
            api_key, plaintext = services.create_api_key(
                user=request.user, name=form.cleaned_data["name"]
            )
        except (DomainError, ValidationError) as exc:
            # Shown on the form, not as a message: an htmx swap shows no messages.
            if not show_error(form, exc):
                form.add_error(None, exc.detail)
        else:
            created = {"new_api_key": plaintext, "created_key": api_key}
            form = ApiKeyCreateForm()
    context = _account_context(request, key_form=form, **created)
    template = "frontend/partials/api_keys.html" if request.htmx else "frontend/account.html"
    return render(request, template, context)


@login_required
@require_POST
def api_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    try:
        api_key = get_api_key(user=request.user, key_id=key_id)
    except ApiKeyNotFound:
        raise Http404("No such API key.") from None
    services.revoke_api_key(api_key=api_key)
    if request.htmx:
        return render(request, "frontend/partials/api_key_row.html", {"key": api_key})
    messages.success(request, f"The API key “{api_key.name}” is revoked.")
    return redirect("account")
