#include "store/owned_blobs.h"

namespace schicht::store {

OwnedBlobs count_owned_blobs(Db& db, const char* count_sql, const char* blobs_sql) {
  OwnedBlobs owned;
  {
    Statement st(db, count_sql);
    st.step();
    owned.owners = static_cast<uint64_t>(st.integer(0));
  }
  Statement st(db, blobs_sql);
  while (st.step()) {
    auto size = static_cast<uint64_t>(st.integer(0));
    owned.bytes += size;
    if (st.integer(1) == 0) owned.reclaimable += size;
  }
  return owned;
}

}  // namespace schicht::store
