"""The website's pages: each reads through selectors and writes through services.

A view checks the form, calls one service and shows the outcome. A service's error about a
form field is shown on that field (the page is rendered again); any other domain error
becomes a message on the page the person is sent back to. Nothing here decides who may do
what: the services do, so the website and the API agree.

One module per part of the site, as the API has one per resource; urls.py and the error
handlers in config/urls.py use the names re-exported here.
"""

from frontend.views.accounts import account, api_key_create, api_key_revoke, signup
from frontend.views.datasets import (
    dataset_deactivate,
    dataset_delete,
    dataset_detail,
    dataset_list,
    dataset_reactivate,
    dataset_status,
    dataset_update,
    dataset_upload,
    plotly_js,
)
from frontend.views.executions import (
    configuration_detail,
    configuration_status,
    run_reverify,
    task_submit,
)
from frontend.views.flows import flow_detail, flow_list
from frontend.views.runs import run_detail, run_list, run_status, run_upload
from frontend.views.site import home, page_not_found, server_error
from frontend.views.tasks import task_create, task_detail, task_list, task_status
from frontend.views.teams import (
    member_add,
    member_remove,
    member_role,
    team_delete,
    team_detail,
    team_leave,
    team_list,
    team_update,
)

__all__ = [
    "account",
    "api_key_create",
    "api_key_revoke",
    "configuration_detail",
    "configuration_status",
    "dataset_deactivate",
    "dataset_delete",
    "dataset_detail",
    "dataset_list",
    "dataset_reactivate",
    "dataset_status",
    "dataset_update",
    "dataset_upload",
    "flow_detail",
    "flow_list",
    "home",
    "member_add",
    "member_remove",
    "member_role",
    "page_not_found",
    "plotly_js",
    "run_detail",
    "run_list",
    "run_reverify",
    "run_status",
    "run_upload",
    "server_error",
    "signup",
    "task_create",
    "task_detail",
    "task_list",
    "task_status",
    "task_submit",
    "team_delete",
    "team_detail",
    "team_leave",
    "team_list",
    "team_update",
]
