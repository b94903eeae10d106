"""The one router of the REST API, mounted at /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from api.views.api_keys import ApiKeyViewSet
from api.views.configurations import ConfigurationViewSet
from api.views.datasets import DatasetViewSet
from api.views.estimators import EstimatorViewSet
from api.views.evaluations import EvaluationViewSet
from api.views.flows import FlowViewSet
from api.views.health import HealthView
from api.views.me import MeView
from api.views.measures import MeasureViewSet
from api.views.memberships import MembershipViewSet
from api.views.runs import RunViewSet
from api.views.submissions import SubmissionViewSet
from api.views.tasks import EstimationProcedureViewSet, TaskViewSet
from api.views.teams import TeamViewSet

router = SimpleRouter()
router.register("teams", TeamViewSet, basename="team")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("api-keys", ApiKeyViewSet, basename="api-key")
router.register("datasets", DatasetViewSet, basename="dataset")
router.register("tasks", TaskViewSet, basename="task")
router.register(
    "estimation-procedures", EstimationProcedureViewSet, basename="estimation-procedure"
)
router.register("flows", FlowViewSet, basename="flow")
router.register("configurations", ConfigurationViewSet, basename="configuration")
router.register("runs", RunViewSet, basename="run")
router.register("submissions", SubmissionViewSet, basename="submission")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
router.register("measures", MeasureViewSet, basename="measure")
router.register("estimators", EstimatorViewSet, basename="estimator")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("health/", HealthView.as_view(), name="health"),
    *router.urls,
]
