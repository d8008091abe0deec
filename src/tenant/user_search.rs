//! Listing and searching users (`GET /api/v2/users`): the fields a query can reach on a user,
//! sorting, and the scan itself. An exact `email:"…"` or `user_id:"…"` query is answered from the
//! store's indexes instead of a scan.

use std::cmp::Ordering;

use super::search::{push_map_path, Document, Field, Query};
use super::users::User;
use super::TenantData;

impl Document for User {
    fn lookup<'a>(&'a self, path: &str, out: &mut Vec<Field<'a>>) {
        let s = |v: &'a Option<String>, out: &mut Vec<Field<'a>>| {
            if let Some(v) = v {
                out.push(Field::Str(v));
            }
        };
        match path {
            "user_id" => out.push(Field::Str(&self.user_id)),
            "email" => s(&self.email, out),
            "email.domain" => {
                if let Some(domain) = self.email.as_deref().and_then(|e| e.split_once('@')).map(|(_, d)| d) {
                    out.push(Field::Str(domain));
                }
            }
            "email_verified" => out.push(Field::Bool(self.email_verified)),
            "username" => s(&self.username, out),
            "phone_number" => s(&self.phone_number, out),
            "phone_verified" => {
                if let Some(v) = self.phone_verified {
                    out.push(Field::Bool(v));
                }
            }
            "name" => s(&self.name, out),
            "nickname" => s(&self.nickname, out),
            "given_name" => s(&self.given_name, out),
            "family_name" => s(&self.family_name, out),
            "picture" => s(&self.picture, out),
            "last_ip" => s(&self.last_ip, out),
            "blocked" => {
                if let Some(v) = self.blocked {
                    out.push(Field::Bool(v));
                }
            }
            "logins_count" => out.push(Field::Int(i64::try_from(self.logins_count).unwrap_or(i64::MAX))),
            "created_at" => out.push(Field::Date(self.created_at)),
            "updated_at" => out.push(Field::Date(self.updated_at)),
            "last_login" => {
                if let Some(t) = self.last_login {
                    out.push(Field::Date(t));
                }
            }
            "last_password_reset" => {
                if let Some(t) = self.last_password_reset {
                    out.push(Field::Date(t));
                }
            }
            "identities.connection" => out.push(Field::Str(&self.connection)),
            "identities.provider" => out.push(Field::Str(self.provider())),
            "identities.user_id" => out.push(Field::Str(self.bare_id())),
            "identities.isSocial" => out.push(Field::Bool(false)),
            _ => {
                for (prefix, map) in [("user_metadata", &self.user_metadata), ("app_metadata", &self.app_metadata)] {
                    let Some(map) = map else { continue };
                    if path == prefix {
                        push_map_path(map, "", out);
                    } else if let Some(rest) = path.strip_prefix(prefix).and_then(|r| r.strip_prefix('.')) {
                        push_map_path(map, rest, out);
                    }
                }
            }
        }
    }
}

/// A `sort` parameter: `field:1` ascending, `field:-1` descending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    pub field: String,
    pub descending: bool,
}

/// Fields users can be sorted by (Auth0 cannot sort by metadata).
pub const SORTABLE: &[&str] = &[
    "created_at", "updated_at", "last_login", "email", "name", "nickname", "given_name", "family_name", "user_id",
    "logins_count", "username", "phone_number", "last_ip",
];

impl Sort {
    pub fn parse(s: &str) -> Option<Self> {
        let (field, order) = s.split_once(':')?;
        let descending = match order {
            "1" => false,
            "-1" => true,
            _ => return None,
        };
        SORTABLE.contains(&field).then(|| Sort { field: field.to_string(), descending })
    }

    fn compare(&self, a: &User, b: &User) -> Ordering {
        let by = match self.field.as_str() {
            "created_at" => a.created_at.cmp(&b.created_at),
            "updated_at" => a.updated_at.cmp(&b.updated_at),
            "last_login" => a.last_login.cmp(&b.last_login),
            "logins_count" => a.logins_count.cmp(&b.logins_count),
            "email" => a.email.cmp(&b.email),
            "name" => a.name.cmp(&b.name),
            "nickname" => a.nickname.cmp(&b.nickname),
            "given_name" => a.given_name.cmp(&b.given_name),
            "family_name" => a.family_name.cmp(&b.family_name),
            "username" => a.username.cmp(&b.username),
            "phone_number" => a.phone_number.cmp(&b.phone_number),
            "last_ip" => a.last_ip.cmp(&b.last_ip),
            _ => Ordering::Equal,
        };
        let by = if self.descending { by.reverse() } else { by };
        // Ties keep a stable, deterministic order, so pages never overlap.
        by.then_with(|| a.user_id.cmp(&b.user_id))
    }
}

/// Below this many users a scan stays on the calling thread.
const PARALLEL_SCAN_MIN: usize = 20_000;

impl TenantData {
    /// Every user `query` matches. The scan is memory-bound, and a test waits on its search, so a
    /// large tenant is scanned in one part per core (scoped threads; the caller's read lock holds
    /// for all of them). The order is the store's; callers sort.
    fn scan(&self, query: &Query) -> Vec<&User> {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let parts = cores.min(self.users.len() / PARALLEL_SCAN_MIN).max(1);
        fn matching<'a>(query: &Query, users: impl Iterator<Item = &'a User>) -> Vec<&'a User> {
            let mut scratch = Vec::new();
            users.filter(|u| query.matches_with(*u, &mut scratch)).collect()
        }
        if parts == 1 {
            return matching(query, self.users.iter());
        }
        let users: Vec<&User> = self.users.iter().collect();
        std::thread::scope(|scope| {
            let workers: Vec<_> =
                users.chunks(users.len().div_ceil(parts)).map(|part| scope.spawn(move || matching(query, part.iter().copied()))).collect();
            workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
        })
    }

    /// Users matching `query`, sorted (default: oldest first), with the total before paging.
    pub fn search_users(&self, query: Option<&Query>, sort: Option<&Sort>, page: usize, per_page: usize) -> (Vec<&User>, usize) {
        let default = Sort { field: "created_at".into(), descending: false };
        let sort = sort.unwrap_or(&default);
        let mut found: Vec<&User> = match query {
            Some(q) if !q.matches_everything() => {
                if let Some(email) = q.exact_term("email") {
                    self.connections.iter().filter_map(|c| self.users.by_email(&c.name, &email)).collect()
                } else if let Some(id) = q.exact_term("user_id") {
                    self.users.get(&id).into_iter().collect()
                } else {
                    self.scan(q)
                }
            }
            _ => self.users.iter().collect(),
        };
        let total = found.len();
        let start = page.saturating_mul(per_page);
        if start >= total {
            return (Vec::new(), total);
        }
        let end = start.saturating_add(per_page).min(total);
        if end < total {
            found.select_nth_unstable_by(end, |a, b| sort.compare(a, b));
            found.truncate(end);
        }
        found.sort_unstable_by(|a, b| sort.compare(a, b));
        (found.split_off(start), total)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::tenant::search::parse;
    use crate::tenant::seed;

    #[test]
    fn a_scan_split_across_cores_finds_exactly_what_one_thread_finds() {
        let rng = crate::rng::SeededRng::new(0);
        let ctx = seed::BuildContext { management_audience: "https://localhost/api/v2/".into(), rng: &rng, now: 0 };
        let mut data = seed::build(&seed::embedded(), &ctx).expect("the embedded tenant builds");
        for i in 0..(PARALLEL_SCAN_MIN * 2 + 7) {
            let user = User {
                email: Some(format!("u{i}@example.com")),
                user_metadata: json!({"team": format!("t{}", i % 10)}).as_object().cloned(),
                ..User::new(format!("auth0|{i:024x}"), "Username-Password-Authentication".into(), i64::try_from(i).unwrap_or(0))
            };
            data.users.insert(user).expect("a new user");
        }
        let query = parse(r#"user_metadata.team:"t7""#).expect("parses");
        let mut scratch = Vec::new();
        let mut one_thread: Vec<&str> = data.users.iter().filter(|u| query.matches_with(*u, &mut scratch)).map(|u| u.user_id.as_str()).collect();
        let mut split: Vec<&str> = data.scan(&query).into_iter().map(|u| u.user_id.as_str()).collect();
        one_thread.sort_unstable();
        split.sort_unstable();
        assert_eq!(split.len(), 4_000);
        assert_eq!(split, one_thread);
        let (page, total) = data.search_users(Some(&query), None, 0, 50);
        assert_eq!((page.len(), total), (50, 4_000));
        assert_eq!(page[0].email.as_deref(), Some("u7@example.com"), "oldest first, as without the split");
    }
}
