"""factory-boy factories. State a workflow produces is built through services instead."""

import factory

from accounts import services
from accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_team(*, owner: User, name: str = "Lab", members: tuple[User, ...] = ()):
    """A team created through the service, as a person would, plus members."""
    team = services.create_team(creator=owner, name=name)
    for member in members:
        services.add_member(team=team, actor=owner, username=member.username)
    return team
