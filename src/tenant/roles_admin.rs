//! Roles and permissions, HTTP-agnostic (reference §5.8–5.9): role CRUD, a role's permissions
//! and members, a user's roles, and the permissions a user holds directly or through roles.
//! Permissions are checked against the scopes their API defines, so what a role grants always
//! reaches the `permissions` claim of the next token.

use serde::Serialize;
use serde_json::{Map, Value};

use super::config_admin::{allow_only, optional_string, payload, required_array, required_string, required_strings, wrong_type};
use super::model::{Permission, Role};
use super::TenantData;

/// Why a role or permission write was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RoleError {
    /// 400 `invalid_body`.
    #[error("{0}")]
    InvalidBody(String),
    /// 404 without an error code.
    #[error("The role does not exist.")]
    NoRole,
    /// 409 without an error code.
    #[error("The role already exists.")]
    Exists,
    #[error("The user does not exist.")]
    NoUser,
    /// `POST /roles/{id}/users` with an unknown user.
    #[error("One or more of the users do not exist.")]
    NoUsers,
    #[error("The resource server does not exist: '{0}'")]
    NoResourceServer(String),
    /// 400 `invalid_body`: the API defines no such scope.
    #[error("Permission {permission} does not exist on resource server {api}")]
    NoScope { api: String, permission: String },
}

impl From<String> for RoleError {
    fn from(message: String) -> Self {
        RoleError::InvalidBody(message)
    }
}

/// A role as the Management API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleView {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl From<&Role> for RoleView {
    fn from(r: &Role) -> Self {
        Self { id: r.id.clone(), name: r.name.clone(), description: r.description.clone() }
    }
}

/// An item of `GET /roles/{id}/permissions`; `sources` is only on `GET /users/{id}/permissions`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PermissionView {
    pub permission_name: String,
    pub description: String,
    pub resource_server_name: String,
    pub resource_server_identifier: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<Source>>,
}

/// Where a user's permission comes from: `DIRECT` (empty id and name, as Auth0 shows it) or `ROLE`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    pub source_id: String,
    pub source_name: String,
    pub source_type: &'static str,
}

/// An item of `GET /roles/{id}/users`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberView {
    pub user_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub picture: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl TenantData {
    fn role_index(&self, id: &str) -> Result<usize, RoleError> {
        self.roles.iter().position(|r| r.id == id).ok_or(RoleError::NoRole)
    }

    fn check_user(&self, user_id: &str) -> Result<(), RoleError> {
        self.users.get(user_id).map(|_| ()).ok_or(RoleError::NoUser)
    }

    /// `GET /roles`, optionally filtered by a case-insensitive part of the name.
    pub fn list_roles(&self, name_filter: Option<&str>) -> Vec<RoleView> {
        let filter = name_filter.map(str::to_lowercase);
        self.roles.iter().filter(|r| filter.as_ref().is_none_or(|f| r.name.to_lowercase().contains(f))).map(RoleView::from).collect()
    }

    pub fn role(&self, id: &str) -> Result<RoleView, RoleError> {
        self.role_index(id).map(|i| RoleView::from(&self.roles[i]))
    }

    /// `POST /roles`: names are unique.
    pub fn create_role(&mut self, body: &Map<String, Value>, id: String) -> Result<RoleView, RoleError> {
        allow_only(body, &["name", "description"])?;
        let name = required_string(body, "name")?;
        let description = optional_string(body, "description")?.unwrap_or_default();
        if self.roles.iter().any(|r| r.name == name) {
            return Err(RoleError::Exists);
        }
        let role = Role { id, name, description, permissions: Vec::new() };
        self.roles.push(role.clone());
        Ok(RoleView::from(&role))
    }

    /// `PATCH /roles/{id}`: `name` and `description`.
    pub fn update_role(&mut self, id: &str, body: &Map<String, Value>) -> Result<RoleView, RoleError> {
        allow_only(body, &["name", "description"])?;
        let index = self.role_index(id)?;
        let name = optional_string(body, "name")?;
        let description = optional_string(body, "description")?;
        if let Some(name) = &name {
            if self.roles.iter().any(|r| &r.name == name && r.id != id) {
                return Err(RoleError::Exists);
            }
        }
        let role = &mut self.roles[index];
        role.name = name.unwrap_or_else(|| role.name.clone());
        role.description = description.unwrap_or_else(|| role.description.clone());
        Ok(RoleView::from(&*role))
    }

    /// `DELETE /roles/{id}`: the role leaves every user that had it.
    pub fn delete_role(&mut self, id: &str) -> Result<(), RoleError> {
        let index = self.role_index(id)?;
        self.roles.remove(index);
        let members: Vec<String> = self.users.iter().filter(|u| u.role_ids.iter().any(|r| r == id)).map(|u| u.user_id.clone()).collect();
        for user_id in members {
            if let Some(user) = self.users.get_mut(&user_id) {
                user.role_ids.retain(|r| r != id);
            }
        }
        Ok(())
    }

    /// The permissions a POST names, each checked against the scopes of its API.
    fn checked_permissions(&self, body: &Map<String, Value>) -> Result<Vec<Permission>, RoleError> {
        let permissions = permissions_body(body)?;
        for p in &permissions {
            let api = &p.resource_server_identifier;
            let server = self.resource_servers.iter().find(|r| &r.identifier == api).ok_or_else(|| RoleError::NoResourceServer(api.clone()))?;
            if !server.has_scope(&p.permission_name) {
                return Err(RoleError::NoScope { api: api.clone(), permission: p.permission_name.clone() });
            }
        }
        Ok(permissions)
    }

    /// A permission with its API's names and the scope's description.
    fn permission_view(&self, p: &Permission, sources: Option<Vec<Source>>) -> PermissionView {
        let api = self.resource_servers.iter().find(|r| r.identifier == p.resource_server_identifier);
        PermissionView {
            permission_name: p.permission_name.clone(),
            description: api.and_then(|a| a.scopes.iter().find(|s| s.value == p.permission_name)).map(|s| s.description.clone()).unwrap_or_default(),
            resource_server_name: api.map(|a| a.name.clone()).unwrap_or_default(),
            resource_server_identifier: p.resource_server_identifier.clone(),
            sources,
        }
    }

    pub fn role_permissions(&self, id: &str) -> Result<Vec<PermissionView>, RoleError> {
        let role = &self.roles[self.role_index(id)?];
        Ok(role.permissions.iter().map(|p| self.permission_view(p, None)).collect())
    }

    /// `POST /roles/{id}/permissions`: adds what the role does not have yet.
    pub fn add_role_permissions(&mut self, id: &str, body: &Map<String, Value>) -> Result<(), RoleError> {
        let index = self.role_index(id)?;
        let added = self.checked_permissions(body)?;
        let role = &mut self.roles[index];
        for p in added {
            if !role.permissions.contains(&p) {
                role.permissions.push(p);
            }
        }
        Ok(())
    }

    /// `DELETE /roles/{id}/permissions`.
    pub fn remove_role_permissions(&mut self, id: &str, body: &Map<String, Value>) -> Result<(), RoleError> {
        let index = self.role_index(id)?;
        let removed = permissions_body(body)?;
        self.roles[index].permissions.retain(|p| !removed.contains(p));
        Ok(())
    }

    /// `GET /roles/{id}/users`, ordered by user id (the checkpoint order).
    pub fn role_members(&self, id: &str) -> Result<Vec<MemberView>, RoleError> {
        self.role_index(id)?;
        let mut members: Vec<MemberView> = self
            .users
            .iter()
            .filter(|u| u.role_ids.iter().any(|r| r == id))
            .map(|u| MemberView { user_id: u.user_id.clone(), email: u.email.clone(), picture: u.picture(), name: u.name.clone() })
            .collect();
        members.sort_by(|a, b| a.user_id.cmp(&b.user_id));
        Ok(members)
    }

    /// `POST /roles/{id}/users`: every user must exist; none is changed otherwise.
    pub fn assign_role_users(&mut self, id: &str, body: &Map<String, Value>) -> Result<(), RoleError> {
        allow_only(body, &["users"])?;
        self.role_index(id)?;
        let users = required_strings(body, "users")?;
        if users.iter().any(|u| self.users.get(u).is_none()) {
            return Err(RoleError::NoUsers);
        }
        for user_id in users {
            if let Some(user) = self.users.get_mut(&user_id) {
                if !user.role_ids.iter().any(|r| r == id) {
                    user.role_ids.push(id.to_string());
                }
            }
        }
        Ok(())
    }

    /// `GET /users/{id}/roles`.
    pub fn user_roles(&self, user_id: &str) -> Result<Vec<RoleView>, RoleError> {
        let user = self.users.get(user_id).ok_or(RoleError::NoUser)?;
        Ok(self.roles.iter().filter(|r| user.role_ids.contains(&r.id)).map(RoleView::from).collect())
    }

    /// `POST /users/{id}/roles`: every role must exist.
    pub fn assign_user_roles(&mut self, user_id: &str, body: &Map<String, Value>) -> Result<(), RoleError> {
        allow_only(body, &["roles"])?;
        let roles = required_strings(body, "roles")?;
        self.check_user(user_id)?;
        if roles.iter().any(|id| self.role_index(id).is_err()) {
            return Err(RoleError::NoRole);
        }
        if let Some(user) = self.users.get_mut(user_id) {
            for id in roles {
                if !user.role_ids.contains(&id) {
                    user.role_ids.push(id);
                }
            }
        }
        Ok(())
    }

    /// `DELETE /users/{id}/roles`.
    pub fn remove_user_roles(&mut self, user_id: &str, body: &Map<String, Value>) -> Result<(), RoleError> {
        allow_only(body, &["roles"])?;
        let roles = required_strings(body, "roles")?;
        let user = self.users.get_mut(user_id).ok_or(RoleError::NoUser)?;
        user.role_ids.retain(|r| !roles.contains(r));
        Ok(())
    }

    /// `GET /users/{id}/permissions`: direct and role permissions, one item per permission with
    /// every source, ordered by API and name.
    pub fn user_permission_views(&self, user_id: &str) -> Result<Vec<PermissionView>, RoleError> {
        let user = self.users.get(user_id).ok_or(RoleError::NoUser)?;
        let direct = user.permissions.iter().map(|p| (p, Source { source_id: String::new(), source_name: String::new(), source_type: "DIRECT" }));
        let roles = self.roles.iter().filter(|r| user.role_ids.contains(&r.id));
        let via_roles = roles.flat_map(|r| r.permissions.iter().map(|p| (p, Source { source_id: r.id.clone(), source_name: r.name.clone(), source_type: "ROLE" })));
        let mut grouped: Vec<(&Permission, Vec<Source>)> = Vec::new();
        for (p, source) in direct.chain(via_roles) {
            match grouped.iter_mut().find(|(q, _)| *q == p) {
                Some((_, sources)) => sources.push(source),
                None => grouped.push((p, vec![source])),
            }
        }
        grouped.sort_by(|(a, _), (b, _)| (&a.resource_server_identifier, &a.permission_name).cmp(&(&b.resource_server_identifier, &b.permission_name)));
        Ok(grouped.into_iter().map(|(p, sources)| self.permission_view(p, Some(sources))).collect())
    }

    /// `POST /users/{id}/permissions`.
    pub fn add_user_permissions(&mut self, user_id: &str, body: &Map<String, Value>) -> Result<(), RoleError> {
        self.check_user(user_id)?;
        let added = self.checked_permissions(body)?;
        if let Some(user) = self.users.get_mut(user_id) {
            for p in added {
                if !user.permissions.contains(&p) {
                    user.permissions.push(p);
                }
            }
        }
        Ok(())
    }

    /// `DELETE /users/{id}/permissions`.
    pub fn remove_user_permissions(&mut self, user_id: &str, body: &Map<String, Value>) -> Result<(), RoleError> {
        let removed = permissions_body(body)?;
        let user = self.users.get_mut(user_id).ok_or(RoleError::NoUser)?;
        user.permissions.retain(|p| !removed.contains(p));
        Ok(())
    }
}

/// `{"permissions": [{resource_server_identifier, permission_name}]}`.
fn permissions_body(body: &Map<String, Value>) -> Result<Vec<Permission>, RoleError> {
    allow_only(body, &["permissions"])?;
    let mut out = Vec::new();
    for (i, item) in required_array(body, "permissions")?.iter().enumerate() {
        let field = format!("permissions[{i}]");
        let Value::Object(item) = item else {
            return Err(RoleError::InvalidBody(wrong_type(&field, "object", item)));
        };
        let get = |key: &str| required_string(item, key).map_err(|_| payload(format!("Missing required property: {key} on property {field}")));
        out.push(Permission { resource_server_identifier: get("resource_server_identifier")?, permission_name: get("permission_name")? });
    }
    Ok(out)
}
