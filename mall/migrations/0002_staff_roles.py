"""Creates the console's staff roles as auth Groups: owner, operator, customer_service, finance.

Permissions are normally created after ``migrate`` (post_migrate), so on a fresh database
they would not exist yet here; the migration creates them first for every app in the
migration state, then hands the historical models to ``sync_role_groups``. Models added
later (marketing…) join their roles through the post-migrate hook in ``mall.apps``.
"""

from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from mall.console.roles import sync_role_groups


def create_roles(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    using = schema_editor.connection.alias
    for app_config in apps.get_app_configs():
        # State app configs carry no models module; create_permissions skips such apps.
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
        app_config.models_module = None
    sync_role_groups(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
        using=using,
    )


def delete_roles(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    group_model = apps.get_model("auth", "Group")
    group_model.objects.using(schema_editor.connection.alias).filter(
        name__in=["owner", "operator", "customer_service", "finance"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("mall", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("members", "0001_initial"),
        ("orders", "0001_initial"),
        ("analytics", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
