"""Auth functions of the internalportal plugin (registered by ``tk.blanket.auth_functions``)."""
from __future__ import annotations

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict


@tk.auth_allow_anonymous_access
def dataset_quality_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may see the dataset may see its quality score: ``package_show``'s rule, asked
    through ``is_authorized`` so that plugins chaining ``package_show`` apply here too."""
    return authz.is_authorized("package_show", context, data_dict)
