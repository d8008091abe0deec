//! The Management API v2 (`/api/v2/*`). Its resource handlers arrive with the Management API
//! work; today it owns the surface's error body, which unknown `/api/v2` routes already use.

pub mod error;
