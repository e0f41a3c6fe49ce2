from django.db import migrations


def create_counter(apps, schema_editor):
    # The single row that allocate_news_code() increments; its lock serialises publishers.
    apps.get_model("news", "NewsCodeCounter").objects.get_or_create(pk=1, defaults={"last": 0})


class Migration(migrations.Migration):
    dependencies = [("news", "0001_initial")]

    operations = [migrations.RunPython(create_counter, migrations.RunPython.noop)]
