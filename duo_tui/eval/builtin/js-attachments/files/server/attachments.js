const express = require("express");
const path = require("path");

const router = express.Router();
const UPLOADS = "/var/app/uploads";

router.get("/attachments/:name", (req, res) => {
  const file = path.join(UPLOADS, req.params.name);
  res.sendFile(file, (err) => {
    if (err) res.status(404).send("not found");
  });
});

module.exports = { router, UPLOADS };
