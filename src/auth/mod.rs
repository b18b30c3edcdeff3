//! Connecting to Hardcover: OAuth (authorization code + PKCE, device grant), pasted tokens, and
//! where tokens are kept.
