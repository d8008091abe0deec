//! Where Auth0 calls a custom database's scripts, for each flow. Each function reads what it
//! needs from the tenant, releases the lock, awaits the script, and hands the outcome to the
//! tenant's own (synchronous) domain code.
//!
//! Legacy mode (`import_mode` off): the connection's store owns its users. Logins always run
//! `login`; signup runs `get_user` (must find nobody), `create`, then `login` to read the new
//! profile; a password reset finds the user with `get_user` and sets the password with
//! `change_password`; the Management API runs `create`, `change_password`, `change_email`,
//! `verify` (on `email_verified: true`) and `delete` (with the id without `auth0|`).
//!
//! Import mode (automatic migration): a user not yet here logs in through `login` and is then
//! stored with the password that worked; later logins never call the script. `get_user` is
//! consulted before a signup (a user of the legacy store can't sign up again) and before a
//! password reset of a user not yet migrated (who is then migrated, with the new password).
//! Nothing else calls scripts.

use serde_json::{json, Map, Value};

use super::{Action, ScriptError};
use crate::state::AppState;
use crate::tenant::login::LoginError;
use crate::tenant::model::Connection;
use crate::tenant::script_profile::user_from_profile;
use crate::tenant::signup::{self, SignedUp, SignupFailure, SignupRequest};
use crate::tenant::user_admin::{self, AdminError, WriteContext};
use crate::tenant::users::User;

/// The custom-database connection `name`, if `client_id` may use it.
fn custom_connection(state: &AppState, name: &str, client_id: &str) -> Option<Connection> {
    state.tenant().read(|data| data.database_connection(name, client_id).ok().filter(|c| c.is_custom_database()).cloned())
}

/// The connection a stored user belongs to, when it is a custom database in legacy mode.
fn legacy_connection_of(state: &AppState, user_id: &str) -> Option<(Connection, User)> {
    state.tenant().read(|data| {
        let user = data.users.get(user_id)?;
        let connection = data.connections.iter().find(|c| c.name == user.connection && c.is_custom_database() && !c.import_mode())?;
        Some((connection.clone(), user.clone()))
    })
}

/// What scripts call the user: the email, else the username.
fn identifier(user: &User) -> String {
    user.email.clone().or_else(|| user.username.clone()).unwrap_or_default()
}

/// The `tenant` a `create` script's user carries: the domain's first label.
fn tenant_name(state: &AppState) -> String {
    state.tenant().domain.split(['.', ':']).next().unwrap_or("tenant").to_owned()
}

/// `get_user`: the user the legacy store knows by `email`, if any.
async fn get_user(state: &AppState, connection: &Connection, email: &str) -> Result<Option<User>, ScriptError> {
    match state.scripts().call(connection, Action::GetUser, vec![email.into()]).await? {
        Value::Null | Value::Bool(false) => Ok(None),
        profile => user_from_profile("get_user", &connection.name, &profile, state.clock().now_ms())
            .map(Some)
            .map_err(|e| ScriptError::Failed(e.to_string())),
    }
}

/// `login`: the user behind `username`/`password`, mapped.
async fn script_login(state: &AppState, connection: &Connection, username: &str, password: &str) -> Result<User, LoginError> {
    let profile = state.scripts().call(connection, Action::Login, vec![username.into(), password.into()]).await.map_err(|e| match e {
        ScriptError::WrongCredentials(None) => LoginError::WrongCredentials,
        ScriptError::WrongCredentials(Some(message)) => LoginError::Rejected(message),
        ScriptError::Unauthorized(message) => LoginError::Unauthorized(message),
        other => LoginError::ScriptFailed(other.to_string()),
    })?;
    if profile.is_null() {
        return Err(LoginError::WrongCredentials);
    }
    user_from_profile("login", &connection.name, &profile, state.clock().now_ms()).map_err(|e| LoginError::ScriptFailed(e.to_string()))
}

/// Before a password login: on a custom database, runs `login` unless import mode already
/// holds the user. `None` means the tenant checks the password itself
/// ([`crate::tenant::login::Attempt::checked`]).
pub async fn check_login(state: &AppState, connection: &str, client_id: &str, username: &str, password: &str) -> Option<Result<User, LoginError>> {
    let connection = custom_connection(state, connection, client_id)?;
    if connection.import_mode() {
        // Migrated means stored with a password (a reset's `get_user` may have stored one without).
        let migrated = state.tenant().read(|data| {
            let user = data.users.by_email(&connection.name, username).or_else(|| data.users.by_username(&connection.name, username));
            user.is_some_and(|u| u.password.is_some())
        });
        if migrated {
            return None;
        }
    }
    Some(script_login(state, &connection, username, password).await)
}

/// Maps a script failure during signup.
fn signup_failure(error: ScriptError) -> SignupFailure {
    match error {
        ScriptError::Validation { code, .. } if code == "user_exists" => SignupFailure::UserExists,
        ScriptError::Validation { code, .. } if code == "username_exists" => SignupFailure::UsernameExists,
        ScriptError::Validation { code, message } => SignupFailure::Rejected { code, message },
        other => SignupFailure::ScriptFailed(other.to_string()),
    }
}

/// `POST /dbconnections/signup` and the hosted signup page.
pub async fn signup(state: &AppState, request: SignupRequest) -> Result<SignedUp, SignupFailure> {
    let prepared = signup::prepare(state.tenant(), state.rng(), state.clock().now_ms(), request)?;
    let connection = prepared.connection.clone();
    if !connection.is_custom_database() {
        return signup::commit(state.tenant(), state.rng(), prepared);
    }
    let identifier = identifier(&prepared.user);
    if get_user(state, &connection, &identifier).await.map_err(signup_failure)?.is_some() {
        return Err(SignupFailure::UserExists);
    }
    if connection.import_mode() {
        return signup::commit(state.tenant(), state.rng(), prepared);
    }
    let user = &prepared.user;
    // Auth0's `create` argument: who and where, the password, and what signup set.
    let mut new_user = Map::new();
    for (key, value) in [
        ("tenant", json!(tenant_name(state))),
        ("client_id", json!(prepared.client_id)),
        ("connection", json!(connection.name)),
        ("email", json!(user.email)),
        ("password", json!(prepared.password)),
        ("email_verified", json!(false)),
        ("username", json!(user.username)),
        ("phone_number", json!(user.phone_number)),
        ("user_metadata", json!(user.user_metadata)),
    ] {
        if !value.is_null() {
            new_user.insert(key.into(), value);
        }
    }
    state.scripts().call(&connection, Action::Create, vec![Value::Object(new_user)]).await.map_err(signup_failure)?;
    // The stored copy is what `login` now returns, plus what signup set that only Auth0 keeps.
    let stored = match connection.custom_script(Action::Login.key()) {
        Some(_) => {
            let mut from_store = script_login(state, &connection, &identifier, &prepared.password).await.map_err(|e| SignupFailure::ScriptFailed(e.to_string()))?;
            if from_store.user_metadata.is_none() {
                from_store.user_metadata = user.user_metadata.clone();
            }
            from_store
        }
        None => User { password: None, ..user.clone() },
    };
    let stored = state
        .tenant()
        .write(|data| data.store_script_user(stored, None))
        .map_err(|_| SignupFailure::UserExists)?;
    Ok(SignedUp { user_id: stored.user_id, ..prepared.echo })
}

/// `POST /dbconnections/change_password`: makes sure a legacy-store user has a copy here (so the
/// reset link has someone to reset) before the tenant sends the link.
pub async fn before_reset_request(state: &AppState, client_id: &str, email: &str, connection: &str) -> Result<(), ScriptError> {
    let Some(connection) = custom_connection(state, connection, client_id) else { return Ok(()) };
    let known = state.tenant().read(|data| data.users.by_email(&connection.name, email).is_some());
    if known && connection.import_mode() {
        return Ok(());
    }
    if let Some(user) = get_user(state, &connection, email).await? {
        state.tenant().write(|data| data.store_script_user(user, None)).map_err(|e| ScriptError::Failed(e.to_string()))?;
    }
    Ok(())
}

/// The reset page, before the tenant stores the new password: a legacy store gets it through
/// `change_password` (which must answer `true`).
pub async fn before_reset(state: &AppState, user_id: &str, password: &str) -> Result<(), ScriptError> {
    let Some((connection, user)) = legacy_connection_of(state, user_id) else { return Ok(()) };
    change_password(state, &connection, &user, password).await
}

async fn change_password(state: &AppState, connection: &Connection, user: &User, password: &str) -> Result<(), ScriptError> {
    match state.scripts().call(connection, Action::ChangePassword, vec![identifier(user).into(), password.into()]).await? {
        Value::Bool(false) => Err(ScriptError::Failed("the change_password script did not change the password".into())),
        _ => Ok(()),
    }
}

fn admin_error(error: ScriptError) -> AdminError {
    match error {
        ScriptError::Validation { code, .. } if code == "user_exists" => AdminError::Exists,
        other => AdminError::Script(other.to_string()),
    }
}

/// `POST /api/v2/users`: a legacy store gets the user through `get_user` (must find nobody) and
/// `create`; the tenant keeps a copy.
pub async fn create_user(state: &AppState, body: &Map<String, Value>, ctx: WriteContext) -> Result<User, AdminError> {
    let (user, connection) = state.tenant().read(|data| {
        let user = data.prepare_user(body, ctx)?;
        let connection = data.connections.iter().find(|c| c.name == user.connection && c.is_custom_database() && !c.import_mode()).cloned();
        Ok::<_, AdminError>((user, connection))
    })?;
    let Some(connection) = connection else { return state.tenant().write(|data| data.insert_user(user)) };
    if get_user(state, &connection, &identifier(&user)).await.map_err(admin_error)?.is_some() {
        return Err(AdminError::Exists);
    }
    let mut new_user = body.clone();
    new_user.insert("tenant".into(), json!(tenant_name(state)));
    new_user.insert("email_verified".into(), json!(user.email_verified));
    state.scripts().call(&connection, Action::Create, vec![Value::Object(new_user)]).await.map_err(admin_error)?;
    // The legacy store owns the password.
    state.tenant().write(|data| data.insert_user(User { password: None, ..user }))
}

/// `PATCH /api/v2/users/{id}` on a legacy-store user: the password goes through
/// `change_password`, a new email through `change_email`, `email_verified: true` through `verify`.
pub async fn before_update(state: &AppState, user_id: &str, body: &Map<String, Value>) -> Result<(), AdminError> {
    let Some((connection, user)) = legacy_connection_of(state, user_id) else { return Ok(()) };
    let email = user.email.clone().unwrap_or_default();
    if let Some(Value::String(password)) = body.get("password") {
        state.tenant().read(|data| user_admin::check_password(data, &connection.name, password))?;
        change_password(state, &connection, &user, password).await.map_err(admin_error)?;
    }
    if let Some(Value::String(new_email)) = body.get("email") {
        let verified = body.get("email_verified").and_then(Value::as_bool).unwrap_or(false);
        let args = vec![email.clone().into(), new_email.trim().to_lowercase().into(), verified.into()];
        state.scripts().call(&connection, Action::ChangeEmail, args).await.map_err(admin_error)?;
    } else if body.get("email_verified") == Some(&Value::Bool(true)) && !user.email_verified {
        state.scripts().call(&connection, Action::Verify, vec![email.into()]).await.map_err(admin_error)?;
    }
    Ok(())
}

/// `DELETE /api/v2/users/{id}` on a legacy-store user: `delete` with the id without `auth0|`.
pub async fn before_delete(state: &AppState, user_id: &str) -> Result<(), AdminError> {
    let Some((connection, user)) = legacy_connection_of(state, user_id) else { return Ok(()) };
    state.scripts().call(&connection, Action::Delete, vec![user.bare_id().into()]).await.map_err(admin_error)?;
    Ok(())
}
