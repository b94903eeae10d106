"""``manage.py create_api_key USERNAME [--create-user] [--name NAME]``.

For operators and scripts: prints a fresh key as the last word of its output, so
``KEY=$(python manage.py create_api_key ada | awk '{print $NF}')`` works.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.services import create_api_key


class Command(BaseCommand):
    help = "Create an API key for a user and print it (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--create-user",
            action="store_true",
            help="Create the user (without a usable password) if it does not exist.",
        )
        parser.add_argument("--name", default="cli", help="A name for the key (default: cli).")

    @transaction.atomic
    def handle(self, *args, username: str, create_user: bool, name: str, **options):
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            if not create_user:
                raise CommandError(f"No user {username!r}; pass --create-user to create one.")
            user = User(username=username)
            user.set_unusable_password()
            try:
                user.full_clean()
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            user.save()
            self.stderr.write(
                f"Created user {username!r} (no password; set one with changepassword)."
            )
        if not user.is_active:
            raise CommandError(f"User {username!r} is deactivated.")
        try:
            api_key, raw = create_api_key(user=user, name=name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"API key {api_key.name!r} for {user.username}: {raw}")
