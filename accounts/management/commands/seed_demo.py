"""``manage.py seed_demo``: the demo people and team that ``make run`` starts with.

Idempotent: running it again changes nothing. Refuses to run under the production
profile, where a known password would be a hole.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Membership, Team, User
from accounts.services import add_member, create_team, register_user

DEMO_PASSWORD = "tunebench-demo"  # noqa: S105 - a published demo login, embedded profile only
DEMO_USERS = [("demo", "demo@example.org"), ("ada", "ada@example.org")]
DEMO_TEAM = "Demo Lab"


class Command(BaseCommand):
    help = "Create the demo users and team (embedded profile only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-datasets", action="store_true", help="Only the users and the team."
        )
        parser.add_argument("--skip-runs", action="store_true", help="No demo tasks and runs.")

    @transaction.atomic
    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo creates known passwords; it never runs in production.")
        users = {}
        for username, email in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = register_user(username=username, email=email, password=DEMO_PASSWORD)
            users[username] = user
        team = Team.objects.filter(name=DEMO_TEAM).first() or create_team(
            creator=users["demo"], name=DEMO_TEAM, description="The team the demo data belongs to."
        )
        if not Membership.objects.filter(team=team, user=users["ada"]).exists():
            add_member(team=team, actor=users["demo"], username="ada")
        if not options.get("skip_datasets"):
            # Demo datasets go through the real upload path; a worker ingests them.
            call_command("seed_demo_datasets", stdout=self.stdout)
        if not options.get("skip_datasets") and not options.get("skip_runs"):
            # Demo tasks and runs on three of them; the worker scores the runs.
            call_command("seed_demo_runs", stdout=self.stdout)
        self.stdout.write(f"Demo login: demo / {DEMO_PASSWORD}")
