"""``/api/v1/submissions/``: ask the server to execute a configuration on a task.

The body names a registry estimator (``/api/v1/estimators/``), its hyperparameter values
and the seeds; :func:`runs.execution.submit_configuration` checks all of it and answers
every problem in one 400, then stores one server run per seed. The runs are executed by
the workers in a fair order (``queue_position`` on each run) and scored like uploads.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from api.schema import problems
from api.serializers.runs import SubmissionResultSerializer, SubmissionSerializer
from runs.execution import queue_positions, quota_usage, submit_configuration


class SubmissionViewSet(viewsets.GenericViewSet):
    serializer_class = SubmissionResultSerializer
    filter_backends: list = []
    throttle_scope = "runs"

    @extend_schema(
        summary="Submit a configuration for the server to execute, one run per seed",
        description=(
            "Validated against the estimator's space: every problem is reported at once, "
            "under `errors` by field (`estimator`, `parameters.<name>`, `seeds.<i>`). A seed "
            "that already has a run of this configuration on the task (yours, for the same "
            "team, not failed) is not run again: that run is returned, marked in `reused`. "
            "429 `quota_exceeded` when the team's daily quota of server runs is used up."
        ),
        request=SubmissionSerializer,
        responses={
            201: SubmissionResultSerializer,
            200: OpenApiResponse(
                SubmissionResultSerializer, description="Every seed had a run already."
            ),
            **problems(400, 401, 403, 429),
        },
    )
    def create(self, request):
        payload = SubmissionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        submission = submit_configuration(
            submitter=request.user,
            task_id=data["task"],
            estimator=data["estimator"],
            parameters=data["parameters"],
            seeds=data["seeds"],
            team=data["team"],
            tags=data["tags"],
            description=data["description"],
        )
        result = SubmissionResultSerializer(
            {
                "task": submission.task,
                "flow": submission.flow,
                "configuration": submission.configuration,
                "runs": submission.runs,
                "reused": submission.reused,
                "quota": quota_usage(request.user, data["team"]),
            },
            context={
                "request": request,
                "queue_positions": queue_positions([run.pk for run in submission.runs]),
            },
        )
        created = not all(submission.reused)
        return Response(
            result.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
