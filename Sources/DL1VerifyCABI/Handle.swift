/// Turns Swift objects into the opaque pointers C callers hold, and back.
///
/// `retain` gives the caller one reference (released by the matching `*_free`); `borrow`
/// reads an object without changing its count, and only when it is of the expected type;
/// `unowned` hands out a pointer the caller does not own (for results inside a results list).
enum Handle {
    static func retain(_ object: AnyObject) -> OpaquePointer {
        OpaquePointer(Unmanaged.passRetained(object).toOpaque())
    }

    static func unowned(_ object: AnyObject) -> OpaquePointer {
        OpaquePointer(Unmanaged.passUnretained(object).toOpaque())
    }

    static func borrow<T: AnyObject>(_ pointer: OpaquePointer?, as type: T.Type) -> T? {
        guard let pointer else { return nil }
        return Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue() as? T
    }

    /// Releases the caller's reference, but only to an object of the type the `*_free`
    /// function is for: handing `dlv_results_free` a `dlv_result` (which the caller does not
    /// own) or a builder to `dlv_error_free` does nothing instead of freeing the wrong thing.
    static func release<T: AnyObject>(_ pointer: OpaquePointer?, as type: T.Type) {
        guard let pointer, borrow(pointer, as: type) != nil else { return }
        Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(pointer)).release()
    }
}
