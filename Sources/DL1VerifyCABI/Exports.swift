import CDLVerify
import DL1Crypto
import DL1Raster
import DL1Verifier
import Foundation

// The functions of dlverify.h. Each checks its arguments, never traps on caller input, and
// reports failure as a dlv_status plus a dlv_error naming what was wrong.

/// Where a failing function puts its `dlv_error` (NULL: the caller does not want it).
public typealias ErrorOut = UnsafeMutablePointer<OpaquePointer?>?

private let versionString = CStringStore.Entry("1.1.0")  // DLV_VERSION in dlverify.h

/// `dlv_version`: the library's version string.
@_cdecl("dlv_version")
public func dlvVersion() -> UnsafePointer<CChar> { UnsafePointer(versionString.pointer) }

/// `dlv_abi_version`: the interface version the library implements (DLV_ABI_VERSION).
@_cdecl("dlv_abi_version")
public func dlvABIVersion() -> Int32 { 1 }

// MARK: Errors

/// `dlv_error_code`, as declared and documented in dlverify.h.
@_cdecl("dlv_error_code")
public func dlvErrorCode(_ error: OpaquePointer?) -> dlv_status {
    Handle.borrow(error, as: CError.self)?.status ?? DLV_E_ARGUMENT
}

/// `dlv_error_message`, as declared and documented in dlverify.h.
@_cdecl("dlv_error_message")
public func dlvErrorMessage(_ error: OpaquePointer?) -> UnsafePointer<CChar>? {
    Handle.borrow(error, as: CError.self).map { UnsafePointer($0.message.pointer) }
}

/// `dlv_error_free`, as declared and documented in dlverify.h.
@_cdecl("dlv_error_free")
public func dlvErrorFree(_ error: OpaquePointer?) { Handle.release(error, as: CError.self) }

// MARK: Builder

/// `dlv_builder_new`, as declared and documented in dlverify.h.
@_cdecl("dlv_builder_new")
public func dlvBuilderNew() -> OpaquePointer { Handle.retain(CBuilder()) }

/// `dlv_builder_free`, as declared and documented in dlverify.h.
@_cdecl("dlv_builder_free")
public func dlvBuilderFree(_ builder: OpaquePointer?) { Handle.release(builder, as: CBuilder.self) }

/// `dlv_builder_set_trust_folder`, as declared and documented in dlverify.h.
@_cdecl("dlv_builder_set_trust_folder")
public func dlvBuilderSetTrustFolder(_ builder: OpaquePointer?, _ path: UnsafePointer<CChar>?, _ errorOut: ErrorOut) -> dlv_status {
    guard let b = Handle.borrow(builder, as: CBuilder.self) else { return CError.fail(DLV_E_ARGUMENT, "the builder is NULL", into: errorOut) }
    guard let path = CStringStore.string(path) else {
        return CError.fail(DLV_E_ARGUMENT, "the trust folder path is NULL or not UTF-8", into: errorOut)
    }
    guard b.setup == nil else { return CError.fail(DLV_E_STATE, "the trust folder is already set", into: errorOut) }
    do { b.setup = try VerifierSetup(trustDirectory: URL(fileURLWithPath: path)) }
    catch { return CError.fail(error, into: errorOut) }
    b.refreshWarnings()
    return DLV_OK
}

/// Runs `change` on the builder's setup, which must exist (the trust folder comes first).
private func updateSetup(_ builder: OpaquePointer?, _ errorOut: ErrorOut,
                         _ change: (inout VerifierSetup) throws(VerifierSetup.SetupError) -> Void) -> dlv_status {
    guard let b = Handle.borrow(builder, as: CBuilder.self) else { return CError.fail(DLV_E_ARGUMENT, "the builder is NULL", into: errorOut) }
    guard var setup = b.setup else {
        return CError.fail(DLV_E_STATE, "set the trust folder (dlv_builder_set_trust_folder) before adding bundles or status tokens", into: errorOut)
    }
    do { try change(&setup) } catch { return CError.fail(error, into: errorOut) }
    b.setup = setup
    b.refreshWarnings()
    return DLV_OK
}

/// `dlv_builder_add_bundle_file`, as declared and documented in dlverify.h.
@_cdecl("dlv_builder_add_bundle_file")
public func dlvBuilderAddBundleFile(_ builder: OpaquePointer?, _ path: UnsafePointer<CChar>?, _ errorOut: ErrorOut) -> dlv_status {
    guard let path = CStringStore.string(path) else { return CError.fail(DLV_E_ARGUMENT, "the bundle path is NULL or not UTF-8", into: errorOut) }
    return updateSetup(builder, errorOut) { (setup: inout VerifierSetup) throws(VerifierSetup.SetupError) in try setup.addBundle(file: path) }
}

/// `dlv_builder_add_bundle`, as declared and documented in dlverify.h.
@_cdecl("dlv_builder_add_bundle")
public func dlvBuilderAddBundle(_ builder: OpaquePointer?, _ bytes: UnsafePointer<UInt8>?, _ length: Int, _ errorOut: ErrorOut) -> dlv_status {
    guard length >= 0, length <= VerifierSetup.maxBundleBytes else { return CError.fail(DLV_E_IO, "the bundle is larger than 64 MiB", into: errorOut) }
    guard let data = CStringStore.bytes(bytes, length) else { return CError.fail(DLV_E_ARGUMENT, "the bundle bytes are NULL", into: errorOut) }
    return updateSetup(builder, errorOut) { (setup: inout VerifierSetup) throws(VerifierSetup.SetupError) in try setup.addBundle(data, name: "bundle") }
}

/// `dlv_builder_add_status_file`, as declared and documented in dlverify.h.
@_cdecl("dlv_builder_add_status_file")
public func dlvBuilderAddStatusFile(_ builder: OpaquePointer?, _ path: UnsafePointer<CChar>?, _ errorOut: ErrorOut) -> dlv_status {
    guard let path = CStringStore.string(path) else { return CError.fail(DLV_E_ARGUMENT, "the status file path is NULL or not UTF-8", into: errorOut) }
    return updateSetup(builder, errorOut) { (setup: inout VerifierSetup) throws(VerifierSetup.SetupError) in try setup.addStatusToken(file: path) }
}

/// `dlv_builder_add_status`, as declared and documented in dlverify.h.
@_cdecl("dlv_builder_add_status")
public func dlvBuilderAddStatus(_ builder: OpaquePointer?, _ bytes: UnsafePointer<UInt8>?, _ length: Int, _ errorOut: ErrorOut) -> dlv_status {
    guard length >= 0, length <= VerifierSetup.maxStatusBytes else { return CError.fail(DLV_E_IO, "the status token is larger than 40 MiB", into: errorOut) }
    guard let data = CStringStore.bytes(bytes, length) else { return CError.fail(DLV_E_ARGUMENT, "the status token bytes are NULL", into: errorOut) }
    return updateSetup(builder, errorOut) { (setup: inout VerifierSetup) throws(VerifierSetup.SetupError) in setup.addStatusToken(data, name: "status token") }
}

/// `dlv_builder_set_leeway`, as declared and documented in dlverify.h.
@_cdecl("dlv_builder_set_leeway")
public func dlvBuilderSetLeeway(_ builder: OpaquePointer?, _ seconds: Int64, _ errorOut: ErrorOut) -> dlv_status {
    guard let b = Handle.borrow(builder, as: CBuilder.self) else { return CError.fail(DLV_E_ARGUMENT, "the builder is NULL", into: errorOut) }
    guard (0...86_400).contains(seconds) else { return CError.fail(DLV_E_ARGUMENT, "the leeway must be between 0 and 86400 seconds, not \(seconds)", into: errorOut) }
    b.leeway = seconds
    return DLV_OK
}

/// `dlv_builder_set_allow_unknown_status`, as declared and documented in dlverify.h.
@_cdecl("dlv_builder_set_allow_unknown_status")
public func dlvBuilderSetAllowUnknownStatus(_ builder: OpaquePointer?, _ allow: Int32) {
    Handle.borrow(builder, as: CBuilder.self)?.allowUnknownStatus = allow != 0
}

/// `dlv_builder_set_holder_window`, as declared and documented in dlverify.h.
@_cdecl("dlv_builder_set_holder_window")
public func dlvBuilderSetHolderWindow(_ builder: OpaquePointer?, _ seconds: Int64, _ errorOut: ErrorOut) -> dlv_status {
    guard let b = Handle.borrow(builder, as: CBuilder.self) else { return CError.fail(DLV_E_ARGUMENT, "the builder is NULL", into: errorOut) }
    guard (1...86_400).contains(seconds) else { return CError.fail(DLV_E_ARGUMENT, "the holder window must be between 1 and 86400 seconds, not \(seconds)", into: errorOut) }
    b.holderWindow = seconds
    return DLV_OK
}

/// `dlv_builder_set_require_holder_binding`, as declared and documented in dlverify.h.
@_cdecl("dlv_builder_set_require_holder_binding")
public func dlvBuilderSetRequireHolderBinding(_ builder: OpaquePointer?, _ require: Int32) {
    Handle.borrow(builder, as: CBuilder.self)?.requireHolderBinding = require != 0
}

/// `dlv_builder_set_language`, as declared and documented in dlverify.h.
@_cdecl("dlv_builder_set_language")
public func dlvBuilderSetLanguage(_ builder: OpaquePointer?, _ language: UnsafePointer<CChar>?, _ errorOut: ErrorOut) -> dlv_status {
    guard let b = Handle.borrow(builder, as: CBuilder.self) else { return CError.fail(DLV_E_ARGUMENT, "the builder is NULL", into: errorOut) }
    guard let text = CStringStore.string(language), let chosen = Language(rawValue: text) else {
        return CError.fail(DLV_E_ARGUMENT, "the language must be \"en\" or \"zh\"", into: errorOut)
    }
    b.language = chosen
    return DLV_OK
}

/// `dlv_builder_warning_count`, as declared and documented in dlverify.h.
@_cdecl("dlv_builder_warning_count")
public func dlvBuilderWarningCount(_ builder: OpaquePointer?) -> Int {
    Handle.borrow(builder, as: CBuilder.self)?.warnings.count ?? 0
}

/// `dlv_builder_warning`, as declared and documented in dlverify.h.
@_cdecl("dlv_builder_warning")
public func dlvBuilderWarning(_ builder: OpaquePointer?, _ index: Int) -> UnsafePointer<CChar>? {
    guard let warnings = Handle.borrow(builder, as: CBuilder.self)?.warnings, index >= 0, index < warnings.count else { return nil }
    return UnsafePointer(warnings[index].pointer)
}

/// `dlv_builder_build`, as declared and documented in dlverify.h.
@_cdecl("dlv_builder_build")
public func dlvBuilderBuild(_ builder: OpaquePointer?, _ verifierOut: UnsafeMutablePointer<OpaquePointer?>?, _ errorOut: ErrorOut) -> dlv_status {
    guard let b = Handle.borrow(builder, as: CBuilder.self) else { return CError.fail(DLV_E_ARGUMENT, "the builder is NULL", into: errorOut) }
    guard let verifierOut else { return CError.fail(DLV_E_ARGUMENT, "the verifier out-pointer is NULL", into: errorOut) }
    guard let setup = b.setup else { return CError.fail(DLV_E_STATE, "set the trust folder before building", into: errorOut) }
    let (verifier, warnings) = setup.makeVerifier(options: Verifier.Options(leeway: b.leeway, allowUnknownStatus: b.allowUnknownStatus,
                                                                                holderWindow: b.holderWindow, requireHolderBinding: b.requireHolderBinding))
    b.setWarnings(warnings)
    verifierOut.pointee = Handle.retain(CVerifier(verifier: verifier, language: b.language))
    return DLV_OK
}

/// `dlv_verifier_status_token_count`, as declared and documented in dlverify.h.
@_cdecl("dlv_verifier_status_token_count")
public func dlvVerifierStatusTokenCount(_ verifier: OpaquePointer?) -> Int {
    Handle.borrow(verifier, as: CVerifier.self)?.verifier.usableStatusTokenCount ?? 0
}

/// `dlv_verifier_free`, as declared and documented in dlverify.h.
@_cdecl("dlv_verifier_free")
public func dlvVerifierFree(_ verifier: OpaquePointer?) { Handle.release(verifier, as: CVerifier.self) }

// MARK: Verifying

/// The request as the verifier takes it and the time to verify at, or the status to return.
private enum ParsedRequest {
    case ok(Verifier.Request, Int64?)
    case failed(dlv_status)
}

/// Reads the caller's request. A struct smaller than this version's (a zeroed one, not made
/// with DLV_REQUEST_INIT) is refused, since its `at` would mean 1970; a later version will read
/// only the fields a caller's `size` covers.
private func parseRequest(_ pointer: UnsafePointer<dlv_request>?, _ errorOut: ErrorOut) -> ParsedRequest {
    guard let pointer else { return .ok(Verifier.Request(), nil) }
    guard pointer.pointee.size >= MemoryLayout<dlv_request>.size else {
        return .failed(CError.fail(DLV_E_ARGUMENT, "the request's size is not set: start from DLV_REQUEST_INIT", into: errorOut))
    }
    let r = pointer.pointee
    var request = Verifier.Request()
    if r.category != nil {
        guard let category = CStringStore.string(r.category), !category.isEmpty else {
            return .failed(CError.fail(DLV_E_ARGUMENT, "the requested category is empty or not UTF-8", into: errorOut))
        }
        request.category = category
    }
    if r.portrait != nil || r.portrait_length > 0 {
        guard r.portrait_length >= 0, r.portrait_length <= 64 * 1024 * 1024 else {
            return .failed(CError.fail(DLV_E_IO, "the portrait is larger than 64 MiB", into: errorOut))
        }
        guard let portrait = CStringStore.bytes(r.portrait, r.portrait_length) else {
            return .failed(CError.fail(DLV_E_ARGUMENT, "the portrait bytes are NULL", into: errorOut))
        }
        request.portraitHash = SHA256.hash(portrait)
    }
    return .ok(request, r.at == Int64.min ? nil : r.at)
}

/// `dlv_verify_text`, as declared and documented in dlverify.h.
@_cdecl("dlv_verify_text")
public func dlvVerifyText(_ verifier: OpaquePointer?, _ text: UnsafePointer<CChar>?, _ requestPointer: UnsafePointer<dlv_request>?,
                          _ resultsOut: UnsafeMutablePointer<OpaquePointer?>?, _ errorOut: ErrorOut) -> dlv_status {
    guard let v = Handle.borrow(verifier, as: CVerifier.self) else { return CError.fail(DLV_E_ARGUMENT, "the verifier is NULL", into: errorOut) }
    guard let resultsOut else { return CError.fail(DLV_E_ARGUMENT, "the results out-pointer is NULL", into: errorOut) }
    guard let text = CStringStore.string(text) else { return CError.fail(DLV_E_ARGUMENT, "the code text is NULL or not UTF-8", into: errorOut) }
    let request: Verifier.Request, at: Int64?
    switch parseRequest(requestPointer, errorOut) {
    case .ok(let parsed, let time): (request, at) = (parsed, time)
    case .failed(let status): return status
    }
    let result = v.verifier.verify(text: text, request: request, at: at)
    resultsOut.pointee = Handle.retain(CResults([CResult(result, language: v.language)]))
    return DLV_OK
}

/// `dlv_verify_image`, as declared and documented in dlverify.h.
@_cdecl("dlv_verify_image")
public func dlvVerifyImage(_ verifier: OpaquePointer?, _ bytes: UnsafePointer<UInt8>?, _ length: Int, _ requestPointer: UnsafePointer<dlv_request>?,
                           _ resultsOut: UnsafeMutablePointer<OpaquePointer?>?, _ errorOut: ErrorOut) -> dlv_status {
    guard let v = Handle.borrow(verifier, as: CVerifier.self) else { return CError.fail(DLV_E_ARGUMENT, "the verifier is NULL", into: errorOut) }
    guard let resultsOut else { return CError.fail(DLV_E_ARGUMENT, "the results out-pointer is NULL", into: errorOut) }
    guard length >= 0, length <= Verifier.maxImageBytes else { return CError.fail(DLV_E_IO, "the image is larger than 64 MiB", into: errorOut) }
    guard let image = CStringStore.bytes(bytes, length) else { return CError.fail(DLV_E_ARGUMENT, "the image bytes are NULL", into: errorOut) }
    let request: Verifier.Request, at: Int64?
    switch parseRequest(requestPointer, errorOut) {
    case .ok(let parsed, let time): (request, at) = (parsed, time)
    case .failed(let status): return status
    }
    do {
        let scan = try v.verifier.verify(imageBytes: image, request: request, at: at)
        resultsOut.pointee = Handle.retain(CResults(scan.results.map { CResult($0, language: v.language) }))
        return DLV_OK
    } catch {
        return CError.fail(DLV_E_IMAGE, "not a readable image: \(error)", into: errorOut)
    }
}

// MARK: Results

/// `dlv_results_count`, as declared and documented in dlverify.h.
@_cdecl("dlv_results_count")
public func dlvResultsCount(_ results: OpaquePointer?) -> Int {
    Handle.borrow(results, as: CResults.self)?.results.count ?? 0
}

/// `dlv_results_get`, as declared and documented in dlverify.h.
@_cdecl("dlv_results_get")
public func dlvResultsGet(_ results: OpaquePointer?, _ index: Int) -> OpaquePointer? {
    guard let list = Handle.borrow(results, as: CResults.self)?.results, index >= 0, index < list.count else { return nil }
    return Handle.unowned(list[index])
}

/// `dlv_results_free`, as declared and documented in dlverify.h.
@_cdecl("dlv_results_free")
public func dlvResultsFree(_ results: OpaquePointer?) { Handle.release(results, as: CResults.self) }

/// `dlv_result_verdict`, as declared and documented in dlverify.h.
@_cdecl("dlv_result_verdict")
public func dlvResultVerdict(_ result: OpaquePointer?) -> dlv_verdict {
    Handle.borrow(result, as: CResult.self)?.verdict ?? DLV_MALFORMED
}

/// `dlv_result_field`, as declared and documented in dlverify.h.
@_cdecl("dlv_result_field")
public func dlvResultField(_ result: OpaquePointer?, _ field: dlv_field) -> UnsafePointer<CChar>? {
    Handle.borrow(result, as: CResult.self)?.field(field)
}

/// `dlv_result_points`, as declared and documented in dlverify.h.
@_cdecl("dlv_result_points")
public func dlvResultPoints(_ result: OpaquePointer?, _ remaining: UnsafeMutablePointer<UInt64>?, _ maximum: UnsafeMutablePointer<UInt64>?) -> Int32 {
    guard let points = Handle.borrow(result, as: CResult.self)?.points else { return 0 }
    remaining?.pointee = points.remaining
    maximum?.pointee = points.maximum
    return 1
}

/// `dlv_result_category_count`, as declared and documented in dlverify.h.
@_cdecl("dlv_result_category_count")
public func dlvResultCategoryCount(_ result: OpaquePointer?) -> Int {
    Handle.borrow(result, as: CResult.self)?.categoryCount ?? 0
}

/// `dlv_result_category`, as declared and documented in dlverify.h.
@_cdecl("dlv_result_category")
public func dlvResultCategory(_ result: OpaquePointer?, _ index: Int, _ field: dlv_category_field) -> UnsafePointer<CChar>? {
    Handle.borrow(result, as: CResult.self)?.category(index, field)
}

/// `dlv_result_json`, as declared and documented in dlverify.h.
@_cdecl("dlv_result_json")
public func dlvResultJSON(_ result: OpaquePointer?) -> UnsafePointer<CChar>? {
    Handle.borrow(result, as: CResult.self)?.json
}
