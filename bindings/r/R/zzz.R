# Loading the core.
#
# The package's shared object links libmxlite.so with a run path to the
# library's directory, recorded when the package was installed (configure:
# MXLITE_LIBRARY, default <checkout>/build/libmxlite.so).  Setting
# MXLITE_LIBRARY when R starts loads that library first instead: its SONAME
# (libmxlite.so) then satisfies the package's dependency.  That is why the
# package loads its DLL here rather than with useDynLib.

.mx.version.major <- function(v) v %/% 10000L

.onLoad <- function(libname, pkgname) {
  lib <- Sys.getenv("MXLITE_LIBRARY")
  if (nzchar(lib)) {
    if (!file.exists(lib))
      stop("mxlite: MXLITE_LIBRARY is set to '", lib, "', which does not exist", call. = FALSE)
    dyn.load(lib, local = FALSE, now = TRUE)
  }
  dll <- library.dynam("mxlite", pkgname, libname)
  ns <- topenv(environment(sys.function()))
  routines <- getDLLRegisteredRoutines(dll)$.Call
  for (nm in names(routines)) assign(nm, routines[[nm]], envir = ns)
  .mx.build.ops.table(ns)
  v <- .Call(C_mxr_version)  # c(library, header the package was built with)
  if (.mx.version.major(v[1]) != .mx.version.major(v[2]))
    stop(sprintf(paste0("mxlite: the core library has version %d.%d.%d but this package was ",
                        "built for major version %d; reinstall the package against this library"),
                 v[1] %/% 10000L, (v[1] %/% 100L) %% 100L, v[1] %% 100L,
                 .mx.version.major(v[2])), call. = FALSE)
  invisible()
}

.onUnload <- function(libpath) {
  library.dynam.unload("mxlite", libpath)
}

#' The core library's version as c(major, minor, patch).
#' @export
mx.version <- function() {
  v <- .Call(C_mxr_version)[1]
  c(major = v %/% 10000L, minor = (v %/% 100L) %% 100L, patch = v %% 100L)
}
