# package-man.cmake - run by cpack (CPACK_PRE_BUILD_SCRIPTS) on its staging tree before the .deb is made: the man pages
# gzip -9n compressed, as Debian policy 12.1 wants them. `make install` leaves them as they are.
file(GLOB_RECURSE pages "${CPACK_TEMPORARY_DIRECTORY}/*/share/man/*.[1-9]")
foreach(page ${pages})
  execute_process(COMMAND gzip -9nf "${page}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip ${page}: ${rc}")
  endif()
endforeach()
