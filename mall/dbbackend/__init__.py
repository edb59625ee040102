"""MariaDB / MySQL for Django with a health check that costs no round trip (``ENGINE = "mall.dbbackend"``)."""
