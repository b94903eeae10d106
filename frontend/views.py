"""The website's pages: each reads through selectors and writes through services.

A view checks the form, calls one service and shows the outcome. A service's error about a
form field is shown on that field (the page is rendered again); any other domain error
becomes a message on the page the person is sent back to. Nothing here decides who may do
what: the services do, so the website and the API agree.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services
from accounts.exceptions import ApiKeyNotFound, MembershipNotFound, TeamNotFound
from accounts.models import Membership, Team
from accounts.selectors import (
    count_teams,
    count_users,
    get_api_key,
    get_membership,
    get_team,
    is_team_owner,
    list_api_keys,
    list_memberships,
    list_teams,
    membership_for_user,
)
from config.errors import DomainError
from frontend.forms import (
    ApiKeyCreateForm,
    MemberAddForm,
    MemberRoleForm,
    SignupForm,
    TeamForm,
    show_error,
)
from frontend.throttling import throttle_posts
from health.selectors import queue_statuses

# --- Home -------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "user_count": count_users(),
        "team_count": count_teams(),
        "queues": queue_statuses(),
        "site_url": request.build_absolute_uri("/").rstrip("/"),
    }
    return render(request, "frontend/home.html", context)


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


# --- Teams ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@throttle_posts("teams")
def teams(request: HttpRequest) -> HttpResponse:
    form = TeamForm()
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        form = TeamForm(request.POST)
        if form.is_valid():
            try:
                team = services.create_team(creator=request.user, **form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                if not show_error(form, exc):
                    messages.error(request, exc.detail)
            else:
                messages.success(request, f"Team “{team.name}” created. You are its owner.")
                return redirect("team_detail", slug=team.slug)
    return render(request, "frontend/teams.html", {"teams": list_teams(), "form": form})


def _get_team_or_404(slug: str) -> Team:
    try:
        return get_team(slug=slug)
    except TeamNotFound:
        raise Http404("No such team.") from None


def _get_membership_or_404(team: Team, membership_id: int) -> Membership:
    try:
        membership = get_membership(membership_id=membership_id)
    except MembershipNotFound:
        raise Http404("No such membership.") from None
    if membership.team_id != team.pk:
        raise Http404("No such membership.")
    return membership


def _render_team(
    request: HttpRequest,
    team: Team,
    *,
    edit_form: TeamForm | None = None,
    add_form: MemberAddForm | None = None,
    role_form: tuple[int, MemberRoleForm] | None = None,
) -> HttpResponse:
    """The team page, with a form bound to what was posted when it needs correcting."""
    rows = []
    for membership in list_memberships(team=team):
        if role_form and role_form[0] == membership.pk:
            form = role_form[1]
        else:
            form = MemberRoleForm(
                initial={"role": membership.role}, auto_id=f"id_m{membership.pk}_%s"
            )
        rows.append({"membership": membership, "role_form": form})
    context = {
        "team": team,
        "rows": rows,
        "viewer_membership": membership_for_user(team=team, user=request.user),
        "is_owner": is_team_owner(team=team, user=request.user),
        "edit_form": edit_form
        or TeamForm(initial={"name": team.name, "description": team.description}),
        "add_form": add_form or MemberAddForm(),
    }
    return render(request, "frontend/team_detail.html", context)


@require_GET
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_team(request, _get_team_or_404(slug))


@login_required
@require_POST
def team_update(request: HttpRequest, slug: str) -> HttpResponse:
    team = _get_team_or_404(slug)
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            team = services.update_team(team=team, actor=request.user, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            if not show_error(form, exc):
                messages.error(request, exc.detail)
                return redirect("team_detail", slug=slug)
            # The failed update may have changed the object in memory: show the stored one.
            team = _get_team_or_404(slug)
        else:
            messages.success(request, "Team details saved.")
            return redirect("team_detail", slug=team.slug)
    return _render_team(request, team, edit_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def team_delete(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask first (GET), delete on the confirming POST."""
    team = _get_team_or_404(slug)
    if request.method == "GET":
        if not is_team_owner(team=team, user=request.user):
            messages.error(request, "Only an owner of the team can delete it.")
            return redirect("team_detail", slug=slug)
        return render(request, "frontend/team_delete.html", {"team": team})
    try:
        services.delete_team(team=team, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("team_detail", slug=slug)
    messages.success(request, f"Team “{team.name}” deleted.")
    return redirect("teams")


@login_required
@require_POST
def member_add(request: HttpRequest, slug: str) -> HttpResponse:
    team = _get_team_or_404(slug)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            membership = services.add_member(team=team, actor=request.user, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            if not show_error(form, exc):
                messages.error(request, exc.detail)
                return redirect("team_detail", slug=slug)
        else:
            messages.success(
                request,
                f"{membership.user.username} joined the team as {membership.get_role_display()}.",
            )
            return redirect("team_detail", slug=slug)
    return _render_team(request, team, add_form=form)


@login_required
@require_POST
def member_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    team = _get_team_or_404(slug)
    membership = _get_membership_or_404(team, membership_id)
    form = MemberRoleForm(request.POST, auto_id=f"id_m{membership.pk}_%s")
    if form.is_valid():
        try:
            services.change_role(
                membership=membership, actor=request.user, role=form.cleaned_data["role"]
            )
        except (DomainError, ValidationError) as exc:
            if not show_error(form, exc):
                messages.error(request, exc.detail)
                return redirect("team_detail", slug=slug)
        else:
            messages.success(
                request,
                f"{membership.user.username} is now {membership.get_role_display().lower()}.",
            )
            return redirect("team_detail", slug=slug)
    return _render_team(request, team, role_form=(membership.pk, form))


def _remove_member(request: HttpRequest, team: Team, membership: Membership) -> HttpResponse:
    try:
        services.remove_member(membership=membership, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        if membership.user_id == request.user.pk:
            messages.success(request, f"You left “{team.name}”.")
        else:
            messages.success(request, f"{membership.user.username} was removed from the team.")
    return redirect("team_detail", slug=team.slug)


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    team = _get_team_or_404(slug)
    return _remove_member(request, team, _get_membership_or_404(team, membership_id))


@login_required
@require_POST
def team_leave(request: HttpRequest, slug: str) -> HttpResponse:
    team = _get_team_or_404(slug)
    membership = membership_for_user(team=team, user=request.user)
    if membership is None:
        messages.error(request, "You are not a member of this team.")
        return redirect("team_detail", slug=slug)
    return _remove_member(request, team, membership)


# --- Errors -----------------------------------------------------------------------------


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "frontend/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context and no database: whatever broke may be either of them.
    return HttpResponseServerError(loader.get_template("frontend/500.html").render())
