"""Every existing account gets its personal organisation (sign-up creates it from now on)."""

from django.conf import settings
from django.db import migrations


def create_personal(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Organisation = apps.get_model("organisations", "Organisation")
    Membership = apps.get_model("organisations", "Membership")
    with_one = Membership.objects.filter(organisation__personal=True).values("user_id")
    for user in User.objects.exclude(pk__in=with_one).iterator():
        name = f"{user.first_name} {user.last_name}".strip() or user.email or user.username
        organisation = Organisation.objects.create(name=name[:120], personal=True)
        Membership.objects.create(
            organisation=organisation,
            user=user,
            role="owner",
            is_current=not Membership.objects.filter(user=user, is_current=True).exists(),
        )


def remove_personal(apps, schema_editor):
    apps.get_model("organisations", "Organisation").objects.filter(personal=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(create_personal, remove_personal)]
