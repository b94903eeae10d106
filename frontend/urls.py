"""The website's URLs, mounted at / by config/urls.py."""

import plotly
from django.contrib.auth import views as auth_views
from django.urls import path

from frontend import views
from frontend.throttling import throttle_posts

# Explicit template names: django.contrib.admin, installed before us, ships its own
# registration/password_change_*.html, which would otherwise win the template lookup.
auth_urls = [
    path(
        "accounts/login/",
        # Password guessing is limited per client address (the "login" scope).
        throttle_posts("login")(
            auth_views.LoginView.as_view(
                template_name="registration/login.html", redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", views.signup, name="signup"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(template_name="registration/password_change.html"),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_complete.html"
        ),
        name="password_change_done",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    *auth_urls,
    path("account/", views.account, name="account"),
    path("account/api-keys/", views.api_key_create, name="api_key_create"),
    path("account/api-keys/<int:key_id>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("teams/", views.team_list, name="teams"),
    path("teams/<str:slug>/", views.team_detail, name="team_detail"),
    path("teams/<str:slug>/edit/", views.team_update, name="team_update"),
    path("teams/<str:slug>/delete/", views.team_delete, name="team_delete"),
    path("teams/<str:slug>/leave/", views.team_leave, name="team_leave"),
    path("teams/<str:slug>/members/", views.member_add, name="member_add"),
    path(
        "teams/<str:slug>/members/<int:membership_id>/role/",
        views.member_role,
        name="member_role",
    ),
    path(
        "teams/<str:slug>/members/<int:membership_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("datasets/", views.dataset_list, name="datasets"),
    path("datasets/upload/", views.dataset_upload, name="dataset_upload"),
    path("datasets/<int:dataset_id>/", views.dataset_detail, name="dataset_detail"),
    path("datasets/<int:dataset_id>/status/", views.dataset_status, name="dataset_status"),
    path("datasets/<int:dataset_id>/edit/", views.dataset_update, name="dataset_update"),
    path(
        "datasets/<int:dataset_id>/deactivate/",
        views.dataset_deactivate,
        name="dataset_deactivate",
    ),
    path(
        "datasets/<int:dataset_id>/reactivate/",
        views.dataset_reactivate,
        name="dataset_reactivate",
    ),
    path("datasets/<int:dataset_id>/delete/", views.dataset_delete, name="dataset_delete"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:task_id>/", views.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/status/", views.task_status, name="task_status"),
    path("tasks/<int:task_id>/submit/", views.task_submit, name="task_submit"),
    path("flows/", views.flow_list, name="flows"),
    path("flows/<int:flow_id>/", views.flow_detail, name="flow_detail"),
    path(
        "configurations/<int:configuration_id>/",
        views.configuration_detail,
        name="configuration_detail",
    ),
    path(
        "configurations/<int:configuration_id>/status/",
        views.configuration_status,
        name="configuration_status",
    ),
    path("runs/", views.run_list, name="runs"),
    path("runs/upload/", views.run_upload, name="run_upload"),
    path("runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("runs/<int:run_id>/status/", views.run_status, name="run_status"),
    path("runs/<int:run_id>/reverify/", views.run_reverify, name="run_reverify"),
    # The version in the address makes the file cacheable forever (views.plotly_js).
    path(f"assets/plotly-{plotly.__version__}.min.js", views.plotly_js, name="plotly_js"),
]
