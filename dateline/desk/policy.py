"""Who may do what on the desk. Every desk view asks here before it calls an action,
whatever the page offered; the matrix is tested over HTTP role by role."""

from django.core.exceptions import PermissionDenied

from dateline.news.models import Story

# Statuses in which a contributor may still change their own story.
CONTRIBUTOR_EDITABLE = {Story.Status.DRAFT, Story.Status.REVIEW}


def is_desk_user(user):
    return user.is_authenticated and user.is_active and user.is_staff


def can_edit(user, story) -> bool:
    if not is_desk_user(user):
        return False
    if user.has_perm("news.edit_any_story"):
        return True
    return (user.has_perm("news.change_story") and story.owner_id == user.pk
            and story.status in CONTRIBUTOR_EDITABLE and not story.deleted_at)


def can(user, action: str, story=None) -> bool:
    """Whether ``user`` may perform ``action`` (on ``story``)."""
    if not is_desk_user(user):
        return False
    if action == "view":
        return user.has_perm("news.view_story")
    if action == "create":
        return user.has_perm("news.add_story")
    if action in ("edit", "autosave", "preview", "revisions"):
        return can_edit(user, story) or (action in ("preview", "revisions") and user.has_perm("news.edit_any_story"))
    if action == "submit":
        return can_edit(user, story)
    if action in ("publish", "schedule", "unpublish", "return", "share"):
        return user.has_perm("news.publish_story")
    if action in ("restore_revision",):
        return can_edit(user, story)
    if action in ("trash", "restore", "purge"):
        return user.has_perm("news.delete_story")
    if action in ("kill", "reinstate"):
        return user.has_perm("news.kill_story")
    if action == "correct":
        return user.has_perm("news.publish_story")
    if action in ("picks", "sections"):
        return user.has_perm("news.manage_curation")
    raise ValueError(f"unknown desk action {action!r}")


def require(user, action: str, story=None) -> None:
    if not can(user, action, story):
        raise PermissionDenied(f"You may not {action} this story.")
