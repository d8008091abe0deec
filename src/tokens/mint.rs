//! Claim assembly for minted tokens, in the order and shapes Auth0 uses
//! (`reference/auth0-api.md` §4): integer `iat`/`exp`, `aud` a string when there is one
//! audience and an array otherwise, extra claims last.

use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    #[default]
    Access,
    Id,
}

/// What to put in a token; the issuer and the time come from the tenant and its clock.
#[derive(Debug, Clone, Default)]
pub struct TokenSpec {
    pub kind: TokenKind,
    pub sub: String,
    pub client_id: String,
    /// Access tokens: the APIs. ID tokens ignore it (their `aud` is the client).
    pub audience: Vec<String>,
    pub scope: Option<String>,
    /// Seconds; negative yields a token that is already expired.
    pub lifetime_secs: i64,
    /// Profile claims (ID tokens) placed before the registered ones, as Auth0 orders them.
    pub profile: Map<String, Value>,
    /// Anything else; these win over computed claims, so tests can forge any shape.
    pub extra: Map<String, Value>,
}

impl TokenSpec {
    /// Builds the claim set for `issuer` at `now_secs`.
    pub fn claims(&self, issuer: &str, now_secs: i64) -> Map<String, Value> {
        let mut claims = Map::new();
        let exp = now_secs.saturating_add(self.lifetime_secs);
        match self.kind {
            TokenKind::Access => {
                claims.insert("iss".into(), issuer.into());
                claims.insert("sub".into(), self.sub.clone().into());
                claims.insert("aud".into(), audience_claim(&self.audience));
                claims.insert("iat".into(), now_secs.into());
                claims.insert("exp".into(), exp.into());
                if let Some(scope) = self.scope.as_ref().filter(|s| !s.is_empty()) {
                    claims.insert("scope".into(), scope.clone().into());
                }
                claims.insert("azp".into(), self.client_id.clone().into());
            }
            TokenKind::Id => {
                claims.extend(self.profile.clone());
                claims.insert("iss".into(), issuer.into());
                claims.insert("sub".into(), self.sub.clone().into());
                claims.insert("aud".into(), self.client_id.clone().into());
                claims.insert("iat".into(), now_secs.into());
                claims.insert("exp".into(), exp.into());
            }
        }
        claims.extend(self.extra.clone());
        claims
    }
}

fn audience_claim(audience: &[String]) -> Value {
    match audience {
        [one] => Value::String(one.clone()),
        many => Value::Array(many.iter().cloned().map(Value::String).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn access_token_claims_follow_auth0_order_and_types() {
        let spec = TokenSpec {
            sub: "m2m@clients".into(),
            client_id: "m2m".into(),
            audience: vec!["https://api/".into()],
            scope: Some("read:x".into()),
            lifetime_secs: 60,
            ..Default::default()
        };
        let claims = Value::Object(spec.claims("https://d/", 100));
        assert_eq!(
            claims.to_string(),
            json!({"iss":"https://d/","sub":"m2m@clients","aud":"https://api/","iat":100,"exp":160,"scope":"read:x","azp":"m2m"})
                .to_string()
        );
    }

    #[test]
    fn several_audiences_become_an_array_and_extra_claims_win() {
        let mut extra = Map::new();
        extra.insert("iss".into(), "https://forged/".into());
        let spec = TokenSpec {
            audience: vec!["a".into(), "b".into()],
            lifetime_secs: -10,
            extra,
            ..Default::default()
        };
        let claims = spec.claims("https://d/", 100);
        assert_eq!(claims["aud"], json!(["a", "b"]));
        assert_eq!(claims["exp"], 90);
        assert_eq!(claims["iss"], "https://forged/");
    }

    #[test]
    fn id_tokens_are_for_the_client_with_profile_first() {
        let mut profile = Map::new();
        profile.insert("email".into(), "a@b.c".into());
        let spec = TokenSpec { kind: TokenKind::Id, sub: "auth0|1".into(), client_id: "spa".into(), profile, ..Default::default() };
        let claims = spec.claims("https://d/", 5);
        assert_eq!(claims.keys().next().map(String::as_str), Some("email"));
        assert_eq!(claims["aud"], "spa");
    }
}
