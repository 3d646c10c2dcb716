//! Unit tests of the parser, each derivation and `apply`.

use super::*;
