//! The example journeys shipped in `assets/`, compiled in so `new --template` and the
//! app's first start need no files.
