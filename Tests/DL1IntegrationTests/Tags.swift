import Testing

extension Tag {
    /// Slow integration tests: real processes, gcc and valgrind, a package built beside this one.
    /// `swift test --skip '...'` or a tag filter can leave them out of a quick run.
    @Tag static var slow: Self
}
