"""The newsroom's roles as Django groups, kept in step with this file after every migrate.

- Contributor: writes and edits their own drafts, sends them for review.
- Editor: edits any story; publishes, schedules, unpublishes, takes down,
  trashes and restores; corrects; manages picks, sections and sources; the media library.
- Administrator: everything, including people and settings (Django's admin).
"""

from django.contrib.auth.models import Group, Permission

CONTRIBUTOR, EDITOR, ADMINISTRATOR = "Contributor", "Editor", "Administrator"

ROLE_PERMISSIONS = {
    CONTRIBUTOR: [
        "news.add_story", "news.change_story", "news.view_story",
        "news.view_image", "news.add_image", "news.change_image",
        "news.view_section", "news.view_author", "news.view_source", "news.view_tag",
    ],
    EDITOR: [
        "news.add_story", "news.change_story", "news.view_story", "news.delete_story",
        "news.publish_story", "news.edit_any_story", "news.kill_story", "news.manage_curation",
        "news.add_image", "news.change_image", "news.view_image", "news.delete_image",
        "news.add_pick", "news.change_pick", "news.delete_pick", "news.view_pick",
        "news.add_section", "news.change_section", "news.view_section",
        "news.add_source", "news.change_source", "news.view_source",
        "news.add_author", "news.change_author", "news.view_author",
        "news.add_tag", "news.change_tag", "news.view_tag",
        "news.add_correction", "news.view_correction",
    ],
}


def _permissions(names):
    wanted = {tuple(name.split(".")) for name in names}
    found = Permission.objects.filter(content_type__app_label__in={a for a, _ in wanted}).select_related("content_type")
    return [p for p in found if (p.content_type.app_label, p.codename) in wanted]


def ensure_roles(sender=None, **kwargs):
    """Create the three groups and give them exactly their permissions."""
    if sender is not None and getattr(sender, "label", None) != "desk":
        return
    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions(perms))
    admin, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    admin.permissions.set(Permission.objects.all())


def give_role(user, role):
    """Make ``user`` a member of ``role`` (and staff, so they can sign in to the desk)."""
    ensure_roles()
    user.groups.add(Group.objects.get(name=role))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user
