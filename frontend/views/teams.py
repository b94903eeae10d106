"""Teams: the list, a team's page, and what its owners and members can do there."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services
from accounts.exceptions import MembershipNotFound, TeamNotFound
from accounts.models import Membership, Team
from accounts.selectors import (
    get_membership,
    get_team,
    is_team_owner,
    list_memberships,
    list_teams,
    membership_for_user,
)
from config.errors import DomainError
from frontend.forms import MemberAddForm, MemberRoleForm, TeamForm, show_error
from frontend.throttling import throttle_posts

# --- Teams ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@throttle_posts("teams")
def team_list(request: HttpRequest) -> HttpResponse:
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
