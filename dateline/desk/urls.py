from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "desk"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="desk:login"), name="logout"),
    path("", views.story_list, name="list"),
    path("new/", views.story_new, name="new"),
    path("picks/", views.picks, name="picks"),
    path("sections/", views.sections, name="sections"),
    path("lookup/", views.story_lookup, name="lookup"),
    path("<int:pk>/", views.story_edit, name="edit"),
    path("<int:pk>/autosave/", views.story_autosave, name="autosave"),
    path("<int:pk>/autosave/discard/", views.story_autosave_discard, name="autosave-discard"),
    path("<int:pk>/submit/", views.story_submit, name="submit"),
    path("<int:pk>/return/", views.story_return, name="return"),
    path("<int:pk>/publish/", views.story_publish, name="publish"),
    path("<int:pk>/schedule/", views.story_schedule, name="schedule"),
    path("<int:pk>/unpublish/", views.story_unpublish, name="unpublish"),
    path("<int:pk>/kill/", views.story_kill, name="kill"),
    path("<int:pk>/reinstate/", views.story_reinstate, name="reinstate"),
    path("<int:pk>/trash/", views.story_trash, name="trash"),
    path("<int:pk>/restore/", views.story_restore, name="restore"),
    path("<int:pk>/purge/", views.story_purge, name="purge"),
    path("<int:pk>/correct/", views.story_correct, name="correct"),
    path("<int:pk>/preview/", views.story_preview, name="preview"),
    path("<int:pk>/share/", views.story_share, name="share"),
    path("<int:pk>/revisions/", views.story_revisions, name="revisions"),
    path("<int:pk>/revisions/compare/", views.story_compare, name="compare"),
    path("<int:pk>/revisions/<int:number>/restore/", views.story_restore_revision, name="restore-revision"),
    path("preview/<str:token>/", views.shared_preview, name="shared-preview"),
]
