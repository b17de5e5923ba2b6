-- A shared migration's instant column, written with the ${timestamp} placeholder (test only; see StoreVendor).
CREATE TABLE placeholder_probe (
    id INT NOT NULL PRIMARY KEY,
    at ${timestamp} NOT NULL
);
