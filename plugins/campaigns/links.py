"""URLs of the plugin's pages that also work outside a request (scheduler jobs, calendar feeds)."""
from flask import url_for

PATHS = {
    "campaigns.task_edit": "/campaigns/tasks/{task_id}/edit",
    "campaigns.detail": "/campaigns/{campaign_id}",
}


def link(endpoint, **kwargs):
    try:
        return url_for(endpoint, **kwargs)
    except RuntimeError:  # no request and no SERVER_NAME: the site-relative path works in the bell and calendar
        return PATHS[endpoint].format(**kwargs)
