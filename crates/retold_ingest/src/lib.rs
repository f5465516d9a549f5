//! stub — see the helper spec
